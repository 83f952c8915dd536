import { describe, expect, it } from 'vitest';
import { RedisAuditLog } from '../../src/adapters/store/redis-audit-log.js';
import { RedisLockStore } from '../../src/adapters/store/redis-lock-store.js';
import { viewSubmissionBody } from '../fakes/slack-signer.js';
import { served, until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

const [STAGING, PRODUCTION] = [18680, 18681];
const [BOB, CAROL, DAN] = ['U0BOB', 'U0CAROL', 'U0DAN']; // the three approvers

const config = (repoUrl: string) =>
  sampleConfig({
    service: 'safe',
    repoUrl,
    image: 'slipway-e2e-safety',
    channels: ['#deploys', '#sample'],
    lockReminderHours: 0.0005,
    approvers: { users: [BOB, CAROL, DAN] },
    branches: [
      { match: 'main', deploy: 'staging' },
      { match: 'release/*', deploy: 'staging' },
    ],
    staging: { port: STAGING, freezes: [{ from: '0 16 * * 5', until: '0 8 * * 1', timeZone: 'Europe/Berlin', reason: 'weekend' }] },
    production: { port: PRODUCTION, approvals: [{ count: 2 }], approvalExpiresHours: 1000 },
  });

const WEDNESDAY = new Date('2026-11-25T10:00:00Z');
const SATURDAY = new Date('2026-11-28T10:00:00Z');
// A clock that runs on from where a test sets it, and only forward: runs follow each other in time (a newer
// release supersedes an older one at a gate by when it got there). The tests run in the order of that week.
let clock = { from: WEDNESDAY, at: Date.now() };
const setClock = (to: Date) => (clock = { from: to, at: Date.now() });
/** A run a test leaves at production's gate for the next one. */
let waitingForProduction = '';
const stack = useSlackStack({
  config,
  now: () => new Date(clock.from.getTime() + Date.now() - clock.at),
});

// Everyone here types and clicks in #deploys unless a test says otherwise; the tests read the answer's body.
const answerTo = (userId: string, act: () => Promise<unknown>) => stack.users.answerTo(userId, act);
const post = async (body: string) => (await stack.users.post(body)).json ?? {};
const command = async (name: string, text: string, userId = BOB, channel = 'deploys') => (await stack.users.command(name, text, userId, channel)).json ?? {};
const click = async (action: string, value: string, userId: string, channel = 'deploys') => (await stack.users.click(action, value, userId, channel)).json ?? {};
// The card's Approve button carries the signed release: a click sends back what the card shows.
const approve = async (runId: string, userId: string, environment = 'production') => click('approve_promotion', await stack.watch.approveValue(runId, environment), userId);
/** Everything slipway posted in a channel, as text. */
const postsIn = (channel: string) => stack.slack.callsOf('chat.postMessage').filter((c) => c.args.channel === channel).map((c) => String(c.args.text));
async function pushVersion(version: string, branch = 'main', files: Record<string, string> = {}) {
  await stack.repo.commit({ 'www/version': `${version}\n`, ...files }, `Version ${version}`);
  const { runId } = await stack.repo.push(branch);
  if (!runId) throw new Error('the push started no run');
  return runId;
}
const startedRun = (text: string | undefined) => /Started run `([^`]+)`/.exec(text ?? '')?.[1];

describe('deploy safety', { timeout: 180_000 }, () => {
  it('asks 2 of 3 approvers: the first clicking twice counts once, the card shows who and what is missing', async () => {
    const runId = await pushVersion('r1');
    await stack.watch.settled(runId, { status: 'waiting' });
    expect(await served(STAGING)).toBe('r1');

    expect(await answerTo(BOB, () => approve(runId, BOB))).toBe('Your approval counts. Still needed: 1 more from <@U0BOB> or <@U0CAROL> or <@U0DAN>.');
    expect(await answerTo(BOB, () => approve(runId, BOB))).toBe('You have already approved this; still needed: 1 more from <@U0BOB> or <@U0CAROL> or <@U0DAN>.');
    await until(async () => (stack.watch.approvalCard(runId, 'production')?.includes('*Approvals* (1 of 2): <@U0BOB> :white_check_mark:') ? true : undefined), 'the card to show one approval');
    expect(stack.watch.approvalCard(runId, 'production')).toContain('This approval is for this release only: `sha256:');
    expect((await stack.slipway.runs.get(runId))?.status).toBe('waiting');

    await approve(runId, CAROL);
    const run = await stack.watch.settled(runId, { status: 'passed' });
    expect(run.stages.find((s) => s.name === 'approval:production')?.summary).toBe(`approved by <@${BOB}> and <@${CAROL}>`);
    expect(await served(PRODUCTION)).toBe('r1');
  });

  it('refuses a promotion of a release that skipped staging', async () => {
    await stack.repo.checkout('hotfix', { create: true });
    await stack.repo.commit({ 'www/version': 'hotfix\n' }, 'Hotfix');
    await stack.repo.push('hotfix');
    await stack.repo.checkout('main');
    const answer = await command('/deploy', 'hotfix to production');
    expect(answer.text).toMatch(/^production takes only releases that got through staging first, and `[0-9a-f]{7}` has not\. Deploy it there first: \/deploy hotfix to staging\. Nothing was started\.$/);
    expect(await served(PRODUCTION)).toBe('r1');
  });

  it('quarantines a rolled-back release: the next automatic promotion skips it, and /deploy why says exactly why', async () => {
    const runId = await pushVersion('r2');
    await stack.watch.settled(runId, { status: 'waiting' });
    await approve(runId, BOB);
    await approve(runId, CAROL);
    const r2 = await stack.watch.settled(runId, { status: 'passed' });
    expect(await served(PRODUCTION)).toBe('r2');
    const tag = r2.release!.tag;

    const asked = await command('/rollback', '');
    const confirm = (asked.blocks as { elements: { action_id: string; value: string }[] }[])[1]!.elements[0]!;
    await click(confirm.action_id, confirm.value, BOB);
    const told = await until(async () => stack.slack.callsOf('response_url').map((c) => String(c.args.text)).find((t) => t.includes(' as run ')), 'the rollback answer');
    await stack.watch.settled(/as run (\S+)\. /.exec(told)![1]!, { status: 'passed' });
    expect(await served(PRODUCTION)).toBe('r1');

    const why = await command('/deploy', 'why production');
    expect(why.text).toBe(
      [
        `Why \`${tag}\` is not in *safe production*:`,
        `• production is locked by <@${BOB}>: rolled back by <@${BOB}> — \`/slipway unlock production (its holder or an approver), or /slipway lock production to queue for it\``,
        `• \`${tag}\` is quarantined in production: rolled back by <@${BOB}> — \`/slipway unquarantine production\``,
      ].join('\n'),
    );

    // Unlocked, the same release comes round again (same commit, same digest): staging takes it, production
    // is left out, and the run is not a failure.
    await command('/slipway', 'unlock production');
    const again = startedRun((await command('/deploy', 'main')).text)!;
    const skipped = await stack.watch.settled(again, { status: 'passed' });
    expect(skipped.release?.digest).toBe(r2.release!.digest);
    expect(skipped.stages.find((s) => s.name === 'deploy:staging')?.status).toBe('passed');
    expect(skipped.stages.find((s) => s.name === 'approval:production')).toMatchObject({
      status: 'skipped',
      summary: `${tag} is quarantined in production (rolled back by <@${BOB}>); lift it with /slipway unquarantine production`,
    });
    expect(stack.watch.approvalCard(again, 'production')).toBeUndefined();
    expect(await served(PRODUCTION)).toBe('r1');
    expect((await command('/deploy', 'why production')).text).toBe(
      `Why \`${tag}\` is not in *safe production*:\n• \`${tag}\` is quarantined in production: rolled back by <@${BOB}> — \`/slipway unquarantine production\``,
    );

    expect((await command('/slipway', 'unquarantine production', CAROL)).text).toContain(`lifted the quarantine of \`${tag}\``);
    expect((await command('/deploy', 'why production')).text).toBe(
      `Why \`${tag}\` is not in *safe production*:\n• no approval has been asked for production yet — \`/deploy main to production\``,
    );
  });

  it('refuses a branch behind main at checkout, lets /deploy force force it, and says "back to normal" in the alert thread', async () => {
    await stack.repo.checkout('feature/old', { create: true });
    await stack.repo.commit({ 'www/version': 'feature\n' }, 'Feature work');
    expect((await stack.repo.push('feature/old')).runId).toBeUndefined(); // no route: nothing runs by itself
    await stack.repo.checkout('main');
    await pushVersion('r3'); // main moves on: feature/old now lacks a commit of it
    const asked = await command('/deploy', 'feature/old to staging');
    const refused = startedRun(asked.text);
    expect(refused, asked.text).toBeDefined();
    const failed = await stack.watch.settled(refused!, { status: 'failed' });
    expect(failed.failure).toEqual({
      stage: 'checkout',
      cause: 'feature/old is 1 commit behind main: deploying it to staging would undo merged work. Merge main into it, or force with a reason: /deploy force feature/old to staging reason: …',
    });
    const alert = await until(async () => stack.slack.callsOf('chat.postMessage').find((c) => !c.args.thread_ts && String(c.args.blocks).includes(refused!) && String(c.args.text).includes('failed at')), 'the failure alert');

    const forced = await command('/deploy', 'force feature/old to staging reason: bisecting the r3 slowdown', CAROL);
    expect(forced.response_type).toBe('in_channel');
    expect(forced.text).toMatch(/^:rotating_light: <@U0CAROL> forced a deploy past the outdated-branch guard\. Reason: bisecting the r3 slowdown\. Started run `/);
    const run = await stack.watch.settled(startedRun(forced.text)!, { status: 'passed' });
    expect(run.override).toEqual({ by: CAROL, reason: 'bisecting the r3 slowdown' });
    expect(await served(STAGING)).toBe('feature');
    const normal = await until(async () => stack.slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === stack.slack.answerTs(alert)), 'the back-to-normal line');
    expect(normal.args.text).toBe(`:large_green_circle: Back to normal: run \`${run.id}\` (\`${run.sha.slice(0, 7)}\`) passed after \`${refused}\` failed.`);
    const audit = await new RedisAuditLog(stack.slipway.redis).list('safe', 'staging');
    expect(audit[0]).toMatchObject({ action: 'force', by: CAROL, runId: run.id, detail: 'bisecting the r3 slowdown' });
  });

  it('queues people for a lock and hands it on in order; the holder edits the reason and is reminded', async () => {
    expect((await command('/slipway', 'lock production reason: audit', BOB)).text).toBe(`:lock: <@${BOB}> locked safe production: audit.`);
    expect((await command('/slipway', 'lock production reason: hotfix next', CAROL)).text).toBe(
      `:hourglass_flowing_sand: production is locked by <@${BOB}>: audit. You are #1 in the queue for it; slipway will ping you when it passes to you.`,
    );
    expect((await command('/slipway', 'lock production', DAN)).text).toMatch(/You are #2 in the queue for it;/);
    expect((await command('/slipway', 'lock production reason: audit until 15:00', BOB)).text).toBe(`:pencil2: <@${BOB}> changed the reason of the safe production lock: audit until 15:00.`);

    // lockReminderHours is 0.0005 (1.8 s) here.
    const reminder = await until(async () => postsIn('#safe').find((t) => t.startsWith(':alarm_clock:')), 'the reminder');
    expect(reminder).toMatch(new RegExp(`^:alarm_clock: <@${BOB}>, you have held the safe production lock for [0-9.]+ h\\. 2 people are waiting for it\\. /slipway unlock production when you are done\\.$`));

    expect((await command('/slipway', 'unlock production', BOB)).text).toBe(
      `:unlock: <@${BOB}> unlocked safe production. :lock: It passes to <@${CAROL}>, next in the queue: hotfix next. 1 still waiting.`,
    );
    expect((await command('/deploy', 'why production', DAN)).text).toContain(`• production is locked by <@${CAROL}>: hotfix next — `);
    expect((await command('/slipway', 'unlock production', CAROL)).text).toBe(`:unlock: <@${CAROL}> unlocked safe production. :lock: It passes to <@${DAN}>, next in the queue.`);
    expect((await command('/slipway', 'unlock production', DAN)).text).toBe(`:unlock: <@${DAN}> unlocked safe production.`);
    const actions = (await new RedisAuditLog(stack.slipway.redis).list('safe', 'production')).slice(0, 6).map((e) => `${e.action} ${e.by}`);
    expect(actions).toEqual([`unlock ${DAN}`, `lock ${DAN}`, `unlock ${CAROL}`, `lock ${CAROL}`, `unlock ${BOB}`, `lock ${BOB}`]);
  });

  it('refuses commands and buttons from a channel not configured for the service, naming the channels to use', async () => {
    const refusal = 'safe takes commands and buttons only in #safe or #deploys or #sample: use one of those.';
    expect((await command('/deploy', 'main', BOB, 'random')).text).toBe(refusal);
    expect((await command('/slipway', 'lock staging', BOB, 'random')).text).toBe(refusal);
    expect(await new RedisLockStore(stack.slipway.redis).get('safe', 'staging')).toBeUndefined();

    const runId = await pushVersion('r4');
    await stack.watch.settled(runId, { status: 'waiting' });
    const value = await stack.watch.approveValue(runId, 'production');
    expect(await answerTo(BOB, () => click('approve_promotion', value, BOB, 'random'))).toBe(refusal);
    expect((await stack.slipway.runs.get(runId))?.status).toBe('waiting');
    waitingForProduction = runId;
  });

  it('freezes an environment from Slack: promotions refused with its end, /deploy why says so, until /slipway unfreeze', async () => {
    expect((await command('/slipway', 'freeze production for 2h reason: provider maintenance', 'U0ANN')).text).toBe('Only an approver of production can freeze it.');
    expect((await command('/slipway', 'freeze production for 20d reason: all of December')).text).toContain('A freeze from Slack lasts 14 days at most');
    expect((await command('/slipway', 'freeze production for ages reason: why not')).text).toContain('is not a duration like 90m, 2h or 3d');

    const frozen = await command('/slipway', 'freeze production for 2h reason: provider maintenance');
    expect(frozen.response_type).toBe('in_channel');
    expect(frozen.text).toMatch(/^:snowflake: <@U0BOB> froze safe production until Wed 25 Nov 12:0\d \(UTC\): provider maintenance\. Deploys and promotions are refused until then; \/slipway unfreeze production lifts it\.$/);
    const until = /until (Wed 25 Nov 12:0\d \(UTC\))/.exec(frozen.text!)![1];
    expect(await answerTo(CAROL, () => approve(waitingForProduction, CAROL))).toBe(
      `production is frozen until ${until}: provider maintenance. Promotions wait until then, or an approver breaks glass: /deploy force main to production reason: …`,
    );
    expect((await command('/deploy', 'why production')).text).toContain(`• production is frozen until ${until}: provider maintenance — \`wait, or an approver breaks glass: /deploy force main to production reason: …\``);

    expect((await command('/slipway', 'unfreeze production', CAROL)).text).toBe(`:sunny: <@${CAROL}> lifted the freeze of safe production (provider maintenance).`);
    expect((await command('/slipway', 'unfreeze production', CAROL)).text).toBe('safe production has no freeze set with /slipway freeze.');
    await approve(waitingForProduction, CAROL);
    await approve(waitingForProduction, DAN);
    await stack.watch.settled(waitingForProduction, { status: 'passed' });
    expect(await served(PRODUCTION)).toBe('r4');
    const actions = (await new RedisAuditLog(stack.slipway.redis).list('safe', 'production')).map((e) => e.action);
    expect(actions.indexOf('unfreeze')).toBeLessThan(actions.indexOf('freeze'));
  });

  it('refuses deploys in a freeze window with its end and an Override freeze button', async () => {
    setClock(SATURDAY);
    const refused = await command('/deploy', 'main');
    expect(refused.text).toBe(':snowflake: staging is frozen until Mon 30 Nov 08:00 (Europe/Berlin): weekend. Nothing was started. An approver can break glass: /deploy force main to staging reason: …');
    expect(JSON.stringify(refused.blocks)).toContain('"action_id":"override_freeze"');
  });

  it('breaks glass through the Override freeze button: an approver, and one more approver than usual', async () => {
    setClock(SATURDAY);
    const refused = await command('/deploy', 'main', CAROL);
    const button = (refused.blocks as { elements?: { action_id: string; value: string }[] }[])[1]!.elements![0]!;
    expect(button.action_id).toBe('override_freeze');
    const opens = stack.slack.callsOf('views.open').length;
    await click(button.action_id, button.value, CAROL);
    const modal = await until(async () => stack.slack.callsOf('views.open')[opens]?.args.view as string | undefined, 'the Override freeze modal');
    const view = (typeof modal === 'string' ? JSON.parse(modal) : modal) as { callback_id: string; private_metadata: string };

    const submit = (userId: string, reason: string) =>
      post(viewSubmissionBody(view.callback_id, view.private_metadata, { reason: { reason: { type: 'plain_text_input', value: reason } } }, { userId }));
    const notApprover = await submit('U0ANN', 'payments are down');
    expect(notApprover).toMatchObject({ response_action: 'errors', errors: { reason: 'Only an approver of staging can break its freeze. Nothing was started.' } });

    await submit(CAROL, 'payments are down');
    const announced = await until(async () => postsIn('C0DEPLOYS').find((t) => t.startsWith(':rotating_light:')), 'the break-glass announcement');
    expect(announced).toMatch(/^:rotating_light: <@U0CAROL> is breaking the freeze \(staging is frozen until Mon 30 Nov 08:00 \(Europe\/Berlin\): weekend\); one more approver must approve on the card\. Reason: payments are down\. Started run `/);
    const runId = startedRun(announced)!;
    await stack.watch.settled(runId, { status: 'waiting' });
    expect(stack.watch.approvalCard(runId, 'staging')).toContain(`:rotating_light: *Breaking a freeze*, asked by <@${CAROL}>: payments are down. It needs one approver more than usual.`);

    expect(await answerTo(CAROL, () => approve(runId, CAROL, 'staging'))).toBe('You cannot approve your own change: ask another approver.');
    await approve(runId, DAN, 'staging');
    await until(async () => ((await stack.slipway.runs.get(runId))?.stages.find((s) => s.name === 'deploy:staging')?.status === 'passed' ? true : undefined), 'the staging deploy');
    const run = await stack.slipway.runs.get(runId);
    expect(run?.stages.find((s) => s.name === 'approval:staging')?.summary).toBe(`approved by <@${DAN}>`);
    const audit = await new RedisAuditLog(stack.slipway.redis).list('safe', 'staging');
    expect(audit.find((e) => e.runId === runId && e.action === 'break-glass')).toMatchObject({ by: CAROL, detail: expect.stringMatching(/^payments are down \(staging is frozen until /) });
  });

  it('allows deploys again once the freeze is over', async () => {
    setClock(new Date('2026-11-30T07:00:00Z'));
    const allowed = startedRun((await command('/deploy', 'main')).text);
    expect(allowed).toBeDefined();
    await stack.watch.settled(allowed!, { status: 'waiting' });
  });
});
