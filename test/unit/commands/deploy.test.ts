import { describe, expect, it } from 'vitest';
import { forceDeployCommand, OVERRIDE_FREEZE_ACTION } from '../../../commands/deploy.js';
import { runCommand } from '../../../commands/slash-command.js';
import { ephemeralEnvName } from '../../../src/core/naming.js';
import { APPROVER, BILLING_CHANNEL, commandHarness, DEVELOPER, digest, GROUP_APPROVER, NOW, OTHER, RANDOM_CHANNEL, sha, TWO_SERVICES } from './command-harness.js';

const inTwoHours = new Date(NOW.getTime() + 2 * 3600_000).toISOString();

describe('/deploy', () => {
  it('starts one run for the branch head, through the promotion chain, queued and announced once', async () => {
    const { invoke, ports } = commandHarness();

    const reply = await invoke('/deploy', 'main', DEVELOPER);

    expect(reply).toMatchObject({ visibility: 'ephemeral' });
    expect(reply.text).toBe('Started run `shop-run1`: `main` @ `aaaaaaa` → deploy:staging → approval:production → deploy:production. Follow it in #shop.');
    const run = await ports.runs.get('shop-run1');
    expect(run).toMatchObject({
      trigger: 'deploy',
      branch: 'main',
      sha: sha('a'),
      status: 'queued',
      cloneUrl: 'https://git.example.com/acme/shop.git',
      triggeredBy: { name: 'udeveloper', username: DEVELOPER },
      target: { environment: 'staging', ephemeral: false },
    });
    expect(run?.stages.map((s) => s.name)).toEqual(['checkout', 'build', 'push', 'deploy:staging', 'approval:production', 'deploy:production']);
    expect(run?.override).toBeUndefined();
    expect(ports.queue.jobs).toEqual(['shop-run1']);
    expect(ports.events.changes).toEqual(['shop-run1']);
    expect(await ports.audit.list('shop')).toEqual([
      { at: NOW.toISOString(), service: 'shop', environment: 'staging', action: 'deploy', by: DEVELOPER, runId: 'shop-run1', detail: `main @ aaaaaaa` },
    ]);
  });

  it('a second /deploy is a run of its own: repeats of one request are dropped before commands, by trigger id', async () => {
    const { invoke, ports } = commandHarness();

    await invoke('/deploy', 'main', DEVELOPER);
    await invoke('/deploy', 'main', DEVELOPER);

    expect(ports.queue.jobs).toEqual(['shop-run1', 'shop-run2']);
  });

  it.each([
    ['main to staging', { environment: 'staging', ephemeral: false }, ['deploy:staging']],
    ['main to production', { environment: 'staging', ephemeral: false }, ['deploy:staging', 'approval:production', 'deploy:production']],
    ['dev/feature-login', { environment: ephemeralEnvName('shop', 'dev/feature-login'), ephemeral: true }, [`deploy:${ephemeralEnvName('shop', 'dev/feature-login')}`]],
    ['dev/feature-login to staging', { environment: 'staging', ephemeral: false }, ['deploy:staging']],
    ['hotfix/checkout to staging', { environment: 'staging', ephemeral: false }, ['deploy:staging']],
  ])('"%s" goes where the branch patterns and "to" send it', async (text, target, deploys) => {
    const { invoke, ports } = commandHarness();

    await invoke('/deploy', text, DEVELOPER);

    const run = await ports.runs.get('shop-run1');
    expect(run?.target).toEqual(target);
    expect(run?.stages.map((s) => s.name).filter((s) => !['checkout', 'build', 'push'].includes(s))).toEqual(deploys);
  });

  it.each([
    ['hotfix/checkout', 'Branch hotfix/checkout has no route in slipway.yml: say where it goes, e.g. /deploy hotfix/checkout to staging.'],
    ['nope to staging', 'There is no branch "nope" in shop\'s repository.'],
    ['main to qa', 'shop has no environment "qa": staging, production.'],
    ['main..x to staging', '"main..x" is not a branch name git accepts'],
    ['main to', 'Say which environment after "to".'],
    ['main to staging shop extra', 'Did not understand "shop extra".'],
    ['', 'Name the branch to deploy.'],
  ])('"%s" is answered with the usage and starts nothing', async (text, problem) => {
    const { invoke, ports } = commandHarness();

    const reply = await invoke('/deploy', text, DEVELOPER);

    expect(reply).toMatchObject({ visibility: 'ephemeral', usage: true });
    expect(reply.text).toContain(problem);
    expect(reply.text).toContain('Usage: `/deploy &lt;branch&gt; [to &lt;env&gt;] [service] | /deploy why [service] [env]`');
    expect(ports.queue.jobs).toEqual([]);
    expect(await ports.runs.listByService('shop')).toEqual([]);
  });

  it.each([
    ['main', 'Name a service: shop, billing.'],
    ['main billing', 'slipway does not know where to clone billing from: set its cloneUrl in slipway.yml.'],
  ])('with two services, "%s" is answered with the usage and starts nothing', async (text, problem) => {
    const { invoke, ports } = commandHarness(TWO_SERVICES);

    const reply = await invoke('/deploy', text, DEVELOPER, BILLING_CHANNEL);

    expect(reply).toMatchObject({ visibility: 'ephemeral', usage: true });
    expect(reply.text).toContain(problem);
    expect(ports.queue.jobs).toEqual([]);
  });

  it('is refused from a channel the service does not take commands in', async () => {
    const { invoke, ports } = commandHarness();

    const reply = await invoke('/deploy', 'main', DEVELOPER, RANDOM_CHANNEL);

    expect(reply).toEqual({ text: 'shop takes commands and buttons only in #shop or <#C0OPS>: use one of those.', visibility: 'ephemeral' });
    expect(ports.queue.jobs).toEqual([]);
  });

  it('is taken from a channel named by id in the service’s channels', async () => {
    const { invoke, ports } = commandHarness();

    await invoke('/deploy', 'main', DEVELOPER, { id: 'C0OPS' });

    expect(ports.queue.jobs).toEqual(['shop-run1']);
  });

  it('is refused when someone else holds the lock of the first environment it deploys to', async () => {
    const { invoke, ports } = commandHarness();
    await ports.locks.take({ service: 'shop', environment: 'staging', by: OTHER, reason: 'load test', at: NOW.toISOString() });

    const reply = await invoke('/deploy', 'main', DEVELOPER);

    expect(reply).toEqual({ text: ':lock: staging is locked by <@UOTHER>: load test. Nothing was started.', visibility: 'ephemeral' });
    expect(ports.queue.jobs).toEqual([]);
    expect(await ports.audit.list('shop')).toEqual([]);
  });

  it('is refused when someone else holds the lock of the environment asked for, later in the run', async () => {
    const { invoke, ports } = commandHarness();
    await ports.locks.take({ service: 'shop', environment: 'production', by: OTHER, reason: 'audit', at: NOW.toISOString() });

    const asked = await invoke('/deploy', 'main to production', DEVELOPER);
    await invoke('/deploy', 'main', DEVELOPER);

    expect(asked).toEqual({ text: ':lock: production is locked by <@UOTHER>: audit. Nothing was started.', visibility: 'ephemeral' });
    // Not asked for by name, production's lock only holds the run at its gate.
    expect(ports.queue.jobs).toEqual(['shop-run1']);
  });

  it('goes ahead when the lock is the deployer’s own', async () => {
    const { invoke, ports } = commandHarness();
    await ports.locks.take({ service: 'shop', environment: 'staging', by: DEVELOPER, reason: 'my test', at: NOW.toISOString() });

    await invoke('/deploy', 'main', DEVELOPER);

    expect(ports.queue.jobs).toEqual(['shop-run1']);
  });

  it('into a freeze is refused with the button that lets an approver break glass', async () => {
    const { invoke, ports } = commandHarness();
    await ports.freezes.set({ service: 'shop', environment: 'staging', from: NOW.toISOString(), until: inTwoHours, reason: 'db migration', by: APPROVER });

    const reply = await invoke('/deploy', 'main', DEVELOPER);

    expect(reply.text).toBe(':snowflake: staging is frozen until Tue 1 Dec 12:00 (UTC): db migration. Nothing was started. An approver can break glass: /deploy force main to staging reason: …');
    expect(reply.blocks?.[1]).toMatchObject({
      type: 'actions',
      elements: [{ action_id: OVERRIDE_FREEZE_ACTION, value: JSON.stringify({ service: 'shop', branch: 'main', environment: 'staging' }) }],
    });
    expect(ports.queue.jobs).toEqual([]);
  });

  it('forced by an approver through a freeze: gated by an extra approval, the freeze recorded, said in the channel', async () => {
    const { invoke, ports } = commandHarness();
    await ports.freezes.set({ service: 'shop', environment: 'staging', from: NOW.toISOString(), until: inTwoHours, reason: 'db migration', by: APPROVER });

    const reply = await invoke('/deploy', 'force main to staging reason: checkout is down', GROUP_APPROVER);

    expect(reply.visibility).toBe('in_channel');
    expect(reply.text).toBe(
      ':rotating_light: <@UGROUPMEMBER> is breaking the freeze (staging is frozen until Tue 1 Dec 12:00 (UTC): db migration); one more approver must approve on the card. Reason: checkout is down. Started run `shop-run1`: `main` @ `aaaaaaa` → approval:staging → deploy:staging.',
    );
    const run = await ports.runs.get('shop-run1');
    expect(run?.stages.map((s) => s.name)).toEqual(['checkout', 'build', 'push', 'approval:staging', 'deploy:staging']);
    expect(run?.override).toEqual({ by: GROUP_APPROVER, reason: 'checkout is down' });
    expect(run?.breaks).toEqual([{ environment: 'staging', from: NOW.toISOString(), until: inTwoHours }]);
    expect((await ports.audit.list('shop')).map((e) => e.action)).toEqual(['break-glass', 'deploy']);
    expect(ports.queue.jobs).toEqual(['shop-run1']);
  });

  it('forced without a freeze by an approver: no extra gate, an open "force" audit entry', async () => {
    const { invoke, ports } = commandHarness();

    const reply = await invoke('/deploy', 'force main to staging reason: behind main on purpose', APPROVER);

    expect(reply.text).toContain('<@UAPPROVER> forced a deploy past the outdated-branch guard. Reason: behind main on purpose.');
    expect((await ports.runs.get('shop-run1'))?.stages.map((s) => s.name)).toEqual(['checkout', 'build', 'push', 'deploy:staging']);
    expect((await ports.audit.list('shop'))[0]).toMatchObject({ action: 'force', by: APPROVER, detail: 'behind main on purpose' });
  });

  it.each([
    ['through a freeze', true, 'Only an approver of staging can break its freeze. Nothing was started.'],
    ['without a freeze', false, 'Only an approver of staging can force a deploy there with /deploy force. Nothing was started.'],
  ])('forced %s by someone who is not an approver is refused', async (_case, frozen, refusal) => {
    const { invoke, ports } = commandHarness();
    if (frozen) await ports.freezes.set({ service: 'shop', environment: 'staging', from: NOW.toISOString(), until: inTwoHours, reason: 'db migration', by: APPROVER });

    const reply = await invoke('/deploy', 'force main to staging reason: urgent', DEVELOPER);

    expect(reply).toEqual({ text: refusal, visibility: 'ephemeral' });
    expect(ports.queue.jobs).toEqual([]);
  });

  it('forced from the Override freeze dialog, whose text names the service, starts the run as the command does', async () => {
    const { deps, ports } = commandHarness();
    await ports.freezes.set({ service: 'shop', environment: 'staging', from: NOW.toISOString(), until: inTwoHours, reason: 'db migration', by: APPROVER });

    const reply = await runCommand(forceDeployCommand, deps, { text: 'main to staging shop reason: checkout is down', userId: APPROVER, userName: 'ann', channel: { id: 'C0SHOP', name: 'shop' } });

    expect(reply.visibility).toBe('in_channel');
    expect(ports.queue.jobs).toEqual(['shop-run1']);
  });

  it('forced without a reason is answered with the usage', async () => {
    const { invoke, ports } = commandHarness();

    const reply = await invoke('/deploy', 'force main to staging', APPROVER);

    expect(reply.usage).toBe(true);
    expect(reply.text).toContain('Say why after "reason:": it goes to the audit log and the channel.');
    expect(ports.queue.jobs).toEqual([]);
  });

  it('a configured freeze window refuses it too', async () => {
    const { invoke, deps, ports } = commandHarness();
    deps.now = () => new Date('2026-12-25T09:00:00Z');

    const reply = await invoke('/deploy', 'main to production', DEVELOPER);

    expect(reply.text).toContain('production is frozen until');
    expect(reply.text).toContain('holidays');
    expect(ports.queue.jobs).toEqual([]);
  });

  it.each([
    ['has not got through staging', [], false],
    ['got through staging', ['staging'], true],
  ])('straight to production, a release that %s', async (_case, passedEnvironments, starts) => {
    const { invoke, ports, release, heads } = commandHarness();
    heads['hotfix/checkout'] = sha('c');
    const built = await release('c', 'shop-old');
    for (const environment of passedEnvironments) await ports.passes.record('shop', built.digest, environment);

    const reply = await invoke('/deploy', 'hotfix/checkout to production', DEVELOPER);

    if (starts) {
      expect(ports.queue.jobs).toEqual(['shop-run1']);
    } else {
      expect(reply.text).toBe('production takes only releases that got through staging first, and `ccccccc` has not. Deploy it there first: /deploy hotfix/checkout to staging. Nothing was started.');
      expect(ports.queue.jobs).toEqual([]);
    }
  });

  it('takes the author and commits from an earlier run of the same sha, and triggeredBy from Slack', async () => {
    const { invoke, ports, storedRun } = commandHarness();
    await storedRun({ id: 'shop-push1', trigger: 'push', author: { name: 'Ann', email: 'ann@example.com' }, commits: [{ sha: sha('a'), message: 'fix', author: { name: 'Ann' } }] });

    await invoke('/deploy', 'main', DEVELOPER);

    const run = await ports.runs.get('shop-run1');
    expect(run?.author).toEqual({ name: 'Ann', email: 'ann@example.com' });
    expect(run?.commits).toHaveLength(1);
    expect(run?.triggeredBy).toEqual({ name: 'udeveloper', username: DEVELOPER });
  });

  it('a run that cannot be queued is not left behind: the error goes up and the record is undone', async () => {
    const { invoke, ports, deps } = commandHarness();
    deps.queue = {
      enqueue: async () => {
        throw new Error('queue down');
      },
      remove: async () => false,
    };

    await expect(invoke('/deploy', 'main', DEVELOPER)).rejects.toThrow('queue down');

    expect(await ports.runs.get('shop-run1')).toBeUndefined();
  });
});

describe('/deploy why and /slipway why', () => {
  it('says there is no release yet, and how to make one', async () => {
    const { invoke } = commandHarness();

    const reply = await invoke('/deploy', 'why shop production', DEVELOPER);

    expect(reply.text).toBe('Why nothing is not in *shop production*:\n• shop has no release yet — `push to main, or /deploy main`');
  });

  it('lists the lock, the promotion gap and the approval still missing, and /slipway why says the same', async () => {
    const { invoke, ports, storedRun } = commandHarness();
    const run = await storedRun({ id: 'shop-r1' }, (r) => ({ ...r, status: 'waiting', release: { image: '127.0.0.1:5000/shop', tag: 'main-aaaaaaa', digest: digest('a'), reused: false } }));
    await ports.locks.take({ service: 'shop', environment: 'production', by: OTHER, reason: 'audit', at: NOW.toISOString() });

    const reply = await invoke('/deploy', 'why production', DEVELOPER);
    const same = await invoke('/slipway', 'why shop production', DEVELOPER);

    expect(reply.text).toBe(
      [
        'Why `main-aaaaaaa` is not in *shop production*:',
        '• production is locked by <@UOTHER>: audit — `/slipway unlock production (its holder or an approver), or /slipway lock production to queue for it`',
        '• `main-aaaaaaa` has not got through staging — `/deploy main to staging`',
        '• no approval has been asked for production yet — `/deploy main to production`',
      ].join('\n'),
    );
    expect(same.text).toBe(reply.text);
    expect(run.id).toBe('shop-r1');
  });

  it('says when the environment already runs the newest release', async () => {
    const { invoke, storedRun, deployed } = commandHarness();
    await storedRun({ id: 'shop-r1' }, (r) => ({ ...r, status: 'passed', release: { image: '127.0.0.1:5000/shop', tag: 'main-aaaaaaa', digest: digest('a'), reused: false } }));
    await deployed('staging', 'a', 'shop-r1', NOW.toISOString());

    const reply = await invoke('/deploy', 'why staging', DEVELOPER);

    expect(reply.text).toBe('shop staging already runs the newest release, `main-aaaaaaa`.');
  });
});
