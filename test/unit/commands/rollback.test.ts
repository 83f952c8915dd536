import { describe, expect, it } from 'vitest';
import { CONFIRM_ROLLBACK_ACTION, confirmRollback } from '../../../commands/rollback-confirm.js';
import { APPROVER, commandHarness, DEVELOPER, digest, GROUP_APPROVER, NOW, OTHER } from './command-harness.js';

/** Production ran `a`, then `b`, then a failed `c`: `b` runs there now. */
async function productionHistory(h: ReturnType<typeof commandHarness>) {
  await h.deployed('production', 'a', 'shop-ra', '2026-11-28T10:00:00Z');
  await h.deployed('production', 'b', 'shop-rb', '2026-11-29T10:00:00Z');
  await h.deployed('production', 'c', 'shop-rc', '2026-11-30T10:00:00Z', 'failed');
}

const buttonOf = (blocks: unknown) => (blocks as { type: string; elements?: { action_id: string; value: string; text: { text: string } }[] }[]).find((b) => b.type === 'actions')?.elements?.[0];

describe('/rollback', () => {
  it('asks to confirm going back to the previous release, with a button naming its deployment; nothing starts yet', async () => {
    const h = commandHarness();
    await productionHistory(h);

    const reply = await h.invoke('/rollback', '', APPROVER);

    expect(reply.text).toBe('Roll *shop* production back from `main-bbbbbbb` to `main-aaaaaaa` (`aaaaaaa`, deployed by <@UDEVELOPER> at 2026-11-28T10:00:00Z)?');
    expect(buttonOf(reply.blocks)).toMatchObject({
      action_id: CONFIRM_ROLLBACK_ACTION,
      text: { text: 'Roll back to main-aaaaaaa' },
      value: JSON.stringify({ service: 'shop', environment: 'production', runId: 'shop-ra' }),
    });
    expect(h.ports.queue.jobs).toEqual([]);
    expect(await h.ports.audit.list('shop')).toEqual([]);
  });

  it.each([
    ['production to main-aaaaaaa', 'shop-ra'],
    ['production to aaaaaaaa', 'shop-ra'],
    ['production to shop-ra', 'shop-ra'],
    ['shop staging', 'shop-sa'],
  ])('"%s" picks the deployment asked for', async (text, runId) => {
    const h = commandHarness();
    await productionHistory(h);
    await h.deployed('staging', 'a', 'shop-sa', '2026-11-28T09:00:00Z');
    await h.deployed('staging', 'b', 'shop-sb', '2026-11-29T09:00:00Z');

    const reply = await h.invoke('/rollback', text, GROUP_APPROVER);

    expect(JSON.parse(buttonOf(reply.blocks)?.value ?? '{}')).toMatchObject({ runId });
  });

  it.each([
    ['production to main-bbbbbbb', 'Cannot roll back shop production: main-bbbbbbb is what runs there now.'],
    ['production to aaaaaa', 'Cannot roll back shop production: no earlier successful deployment matches "aaaaaa" (give a tag, a sha or a run id from /slipway history).'],
    ['production to main-ccccccc', 'Cannot roll back shop production: no earlier successful deployment matches "main-ccccccc" (give a tag, a sha or a run id from /slipway history).'],
    ['staging', 'Cannot roll back shop staging: nothing has been deployed there yet.'],
  ])('"%s" is refused with the reason', async (text, refusal) => {
    const h = commandHarness();
    await productionHistory(h);

    const reply = await h.invoke('/rollback', text, APPROVER);

    expect(reply).toEqual({ text: refusal, visibility: 'ephemeral' });
  });

  it('is for approvers only', async () => {
    const h = commandHarness();
    await productionHistory(h);

    const reply = await h.invoke('/rollback', '', DEVELOPER);

    expect(reply).toEqual({ text: 'Only approvers can do this: <@UAPPROVER>, <!subteam^SRELEASE>.', visibility: 'ephemeral' });
  });

  it('is held off by someone else’s lock, and not by the roller’s own', async () => {
    const h = commandHarness();
    await productionHistory(h);
    await h.ports.locks.take({ service: 'shop', environment: 'production', by: OTHER, reason: 'audit', at: NOW.toISOString() });

    const refused = await h.invoke('/rollback', '', APPROVER);
    await h.ports.locks.release('shop', 'production', NOW);
    await h.ports.locks.take({ service: 'shop', environment: 'production', by: APPROVER, reason: 'incident', at: NOW.toISOString() });
    const asked = await h.invoke('/rollback', '', APPROVER);

    expect(refused.text).toBe('production is locked by <@UOTHER>: audit. Ask them to /slipway unlock it.');
    expect(buttonOf(asked.blocks)).toBeDefined();
  });

  it('with an unknown environment is answered with the usage', async () => {
    const h = commandHarness();

    const reply = await h.invoke('/rollback', 'qa', APPROVER);

    expect(reply.usage).toBe(true);
    expect(reply.text).toContain('shop has no environment "qa": staging, production.');
  });

  it('with "to" and nothing after it is answered with the usage, offering nothing', async () => {
    const h = commandHarness();
    await productionHistory(h);

    const reply = await h.invoke('/rollback', 'production to', APPROVER);

    expect(reply.usage).toBe(true);
    expect(reply.text).toContain('Say what to roll back to after "to".');
    expect(buttonOf(reply.blocks)).toBeUndefined();
  });
});

describe('the rollback confirmation button', () => {
  const request = { service: 'shop', environment: 'production', runId: 'shop-ra' };
  const approver = { id: APPROVER, name: 'ann' };

  it('starts one run deploying the recorded digest, with the click as its signed approval', async () => {
    const h = commandHarness();
    await productionHistory(h);
    await h.storedRun({ id: 'shop-ra', branch: 'main', commits: [{ sha: 'a'.repeat(40), message: 'v1', author: { name: 'Dev' } }] });

    const answer = await confirmRollback(request, approver, 'button-1', h.rollbackDeps);

    expect(answer).toBe('Rolling production back to main-aaaaaaa as run shop-run1. main-bbbbbbb is quarantined there and production is locked by you until someone unlocks it.');
    const run = await h.ports.runs.get('shop-run1');
    expect(run).toMatchObject({
      trigger: 'rollback',
      branch: 'main',
      sha: 'a'.repeat(40),
      triggeredBy: { name: 'ann', username: APPROVER },
      target: { environment: 'production', ephemeral: false },
      release: { digest: digest('a'), tag: 'main-aaaaaaa', reused: true },
      status: 'queued',
    });
    expect(run?.stages.map((s) => s.name)).toEqual(['deploy:production']);
    expect(run?.commits).toHaveLength(1);
    expect(run?.grants).toEqual([expect.objectContaining({ environment: 'production', digest: digest('a'), by: APPROVER })]);
    expect(h.ports.queue.jobs).toEqual(['shop-run1']);
  });

  it('quarantines the release it takes out and locks the environment for whoever rolled back', async () => {
    const h = commandHarness();
    await productionHistory(h);

    await confirmRollback(request, approver, 'button-1', h.rollbackDeps);

    expect(await h.ports.quarantines.list('shop', 'production')).toEqual([
      { service: 'shop', environment: 'production', digest: digest('b'), tag: 'main-bbbbbbb', by: APPROVER, at: NOW.toISOString(), reason: 'rolled back by <@UAPPROVER>' },
    ]);
    expect(await h.ports.locks.get('shop', 'production')).toEqual({ service: 'shop', environment: 'production', by: APPROVER, reason: 'rolled back by <@UAPPROVER>', at: NOW.toISOString() });
    expect((await h.ports.audit.list('shop')).map((e) => e.action).sort()).toEqual(['lock', 'quarantine', 'rollback']);
    expect((await h.invoke('/rollback', '', GROUP_APPROVER)).text).toBe('production is locked by <@UAPPROVER>: rolled back by <@UAPPROVER>. Ask them to /slipway unlock it.');
  });

  it('clicked again starts nothing more, and says which run it started', async () => {
    const h = commandHarness();
    await productionHistory(h);
    await confirmRollback(request, approver, 'button-1', h.rollbackDeps);

    const again = await confirmRollback(request, approver, 'button-1', h.rollbackDeps);

    expect(again).toBe('This rollback is already running as shop-run1.');
    expect(h.ports.queue.jobs).toEqual(['shop-run1']);
    expect(await h.ports.runs.listByService('shop')).toHaveLength(1);
    expect(await h.ports.quarantines.list('shop', 'production')).toHaveLength(1);
  });

  it.each([
    ['by someone who is not an approver', request, { id: DEVELOPER, name: 'dev' }, 'Only approvers can do this: <@UAPPROVER>, <!subteam^SRELEASE>.'],
    ['for a deployment no longer in the history', { ...request, runId: 'shop-gone' }, approver, 'That deployment is no longer in the history; run /rollback again.'],
    ['for a deployment that failed', { ...request, runId: 'shop-rc' }, approver, 'That deployment is no longer in the history; run /rollback again.'],
    ['for a service gone from slipway.yml', { ...request, service: 'legacy' }, approver, 'legacy is no longer in slipway.yml.'],
  ])('%s does nothing', async (_case, asked, user, answer) => {
    const h = commandHarness();
    await productionHistory(h);

    const said = await confirmRollback(asked, user, 'button-1', h.rollbackDeps);

    expect(said).toBe(answer);
    expect(h.ports.queue.jobs).toEqual([]);
    expect(await h.ports.quarantines.list('shop', 'production')).toEqual([]);
    expect(await h.ports.locks.get('shop', 'production')).toBeUndefined();
  });

  it('back to what already runs there quarantines nothing and locks nothing', async () => {
    const h = commandHarness();
    await productionHistory(h);
    await h.deployed('production', 'a', 'shop-ra2', '2026-11-30T12:00:00Z');

    const answer = await confirmRollback(request, approver, 'button-1', h.rollbackDeps);

    expect(answer).toBe('Rolling production back to main-aaaaaaa as run shop-run1.');
    expect(await h.ports.quarantines.list('shop', 'production')).toEqual([]);
    expect(await h.ports.locks.get('shop', 'production')).toBeUndefined();
    expect(h.ports.queue.jobs).toEqual(['shop-run1']);
  });
});
