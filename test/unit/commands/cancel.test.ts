import { describe, expect, it } from 'vitest';
import { cancelKey, completeRun, parkRun, startStage } from '../../../src/core/run.js';
import { APPROVER, commandHarness, DEVELOPER, GROUP_APPROVER, NOW, OTHER, RANDOM_CHANNEL } from './command-harness.js';

type Harness = ReturnType<typeof commandHarness>;

/** A run parked at production's gate, its approval request open. */
async function waitingRun(h: Harness) {
  const run = await h.storedRun({ id: 'shop-w' }, (r) => parkRun(r, 'approval:production', NOW));
  await h.ports.approvals.open({
    runId: run.id,
    service: 'shop',
    environment: 'production',
    digest: 'sha256:1',
    tag: 'main-aaaaaaa',
    sha: run.sha,
    state: 'pending',
    requestedAt: NOW.toISOString(),
    expiresAt: new Date(NOW.getTime() + 24 * 3600_000).toISOString(),
  });
  h.ports.events.changes.length = 0;
  return run;
}

describe('/slipway cancel', () => {
  it('takes a queued run off the queue before it starts, by whoever started it', async () => {
    const h = commandHarness();
    await h.invoke('/deploy', 'main', DEVELOPER);
    h.ports.events.changes.length = 0;

    const reply = await h.invoke('/slipway', 'cancel shop-run1', DEVELOPER);

    expect(reply).toEqual({ text: 'Cancelled run shop-run1 before it started.', visibility: 'ephemeral' });
    expect(h.ports.queue.jobs).toEqual([]);
    const run = await h.ports.runs.get('shop-run1');
    expect(run?.status).toBe('cancelled');
    expect(run?.stages.every((s) => s.status === 'skipped' && s.summary === 'cancelled by <@UDEVELOPER>')).toBe(true);
    expect(h.ports.events.changes).toEqual(['shop-run1']);
    expect(await h.ports.audit.list('shop', undefined, 1)).toEqual([{ at: NOW.toISOString(), service: 'shop', environment: 'staging', action: 'cancel', by: DEVELOPER, runId: 'shop-run1' }]);
  });

  it.each([
    ['whoever started it', DEVELOPER, true],
    ['an approver of an environment it goes to', APPROVER, true],
    ['an approver through a group', GROUP_APPROVER, true],
    ['anyone else', OTHER, false],
  ])('may be done by %s', async (_who, userId, allowed) => {
    const h = commandHarness();
    await h.invoke('/deploy', 'main', DEVELOPER);

    const reply = await h.invoke('/slipway', 'cancel shop-run1', userId);

    if (allowed) {
      expect(reply.text).toBe('Cancelled run shop-run1 before it started.');
    } else {
      expect(reply).toEqual({ text: 'Only whoever started run shop-run1 or an approver of shop can cancel it.', visibility: 'ephemeral' });
      expect(h.ports.queue.jobs).toEqual(['shop-run1']);
      expect((await h.ports.runs.get('shop-run1'))?.status).toBe('queued');
      expect(await h.ports.once.peek(cancelKey('shop-run1'))).toBeUndefined();
    }
  });

  it.each([
    ['named under people: by e-mail', { name: 'Dev', email: 'dev@example.com' }, DEVELOPER],
    ['named under people: by git username', { name: 'Dev', username: 'dev' }, DEVELOPER],
    ['found by Slack’s e-mail lookup', { name: 'Pat', email: 'pusher@example.com' }, 'UPUSHER'],
  ])('of a push: the pusher %s may cancel it', async (_case, triggeredBy, userId) => {
    const h = commandHarness();
    await h.storedRun({ id: 'shop-push', trigger: 'push', triggeredBy });

    const reply = await h.invoke('/slipway', 'cancel shop-push', userId);

    expect(reply.text).toBe('Cancelled run shop-push before it started.');
  });

  it('of a push: the username a git payload claims is not taken as a Slack id', async () => {
    const h = commandHarness();
    await h.storedRun({ id: 'shop-push', trigger: 'push', triggeredBy: { name: 'Mallory', username: OTHER } });

    const reply = await h.invoke('/slipway', 'cancel shop-push', OTHER);

    expect(reply.text).toBe('Only whoever started run shop-push or an approver of shop can cancel it.');
  });

  it('of a running run leaves the request for its worker, which stops at the end of the stage', async () => {
    const h = commandHarness();
    const run = await h.storedRun({ id: 'shop-r' }, (r) => startStage(r, 'build', NOW));

    const reply = await h.invoke('/slipway', 'cancel shop-r', DEVELOPER);

    expect(reply).toEqual({ text: 'Run shop-r will stop at the end of its current stage.', visibility: 'ephemeral' });
    expect(await h.ports.once.peek(cancelKey('shop-r'))).toBe('<@UDEVELOPER>');
    expect(await h.ports.runs.get('shop-r')).toEqual(run);
  });

  it('of a queued run a worker has just taken leaves the request, and does not mark the run cancelled', async () => {
    const h = commandHarness();
    await h.invoke('/deploy', 'main', DEVELOPER);
    h.ports.queue.take('shop-run1');

    const reply = await h.invoke('/slipway', 'cancel shop-run1', DEVELOPER);

    expect(reply.text).toBe('Run shop-run1 will stop at the end of its current stage.');
    expect((await h.ports.runs.get('shop-run1'))?.status).toBe('queued');
    expect(await h.ports.once.peek(cancelKey('shop-run1'))).toBe('<@UDEVELOPER>');
  });

  it('of a run waiting at its gate closes the request there and ends the run', async () => {
    const h = commandHarness();
    await waitingRun(h);

    const reply = await h.invoke('/slipway', 'cancel shop-w', APPROVER);

    expect(reply).toEqual({ text: 'Cancelled run shop-w at its approval gate.', visibility: 'ephemeral' });
    expect(await h.ports.approvals.get('shop-w', 'production')).toMatchObject({ state: 'cancelled', decidedBy: APPROVER });
    expect((await h.ports.runs.get('shop-w'))?.status).toBe('cancelled');
    expect(h.ports.events.changes).toEqual(['shop-w', 'shop-w']);
    expect(await h.ports.once.peek(cancelKey('shop-w'))).toBeUndefined();
  });

  it('of a waiting run whose approval got there first lets the promotion go on, to stop before its next stage', async () => {
    const h = commandHarness();
    await waitingRun(h);
    await h.ports.approvals.decide('shop-w', 'production', { state: 'approved', by: APPROVER, at: NOW.toISOString() });

    const reply = await h.invoke('/slipway', 'cancel shop-w', DEVELOPER);

    expect(reply.text).toBe('Run shop-w will stop at the end of its current stage.');
    expect(await h.ports.approvals.get('shop-w', 'production')).toMatchObject({ state: 'approved' });
    expect((await h.ports.runs.get('shop-w'))?.status).toBe('waiting');
    expect(await h.ports.once.peek(cancelKey('shop-w'))).toBe('<@UDEVELOPER>');
  });

  it.each([
    ['a run that does not exist', 'cancel shop-nope', 'There is no run shop-nope.'],
    ['a run that has ended', 'cancel shop-done', 'Run shop-done has already ended: passed.'],
  ])('of %s says so and changes nothing', async (_case, text, answer) => {
    const h = commandHarness();
    await h.storedRun({ id: 'shop-done' }, (r) => completeRun(r, NOW));

    const reply = await h.invoke('/slipway', text, DEVELOPER);

    expect(reply).toEqual({ text: answer, visibility: 'ephemeral' });
    expect(await h.ports.audit.list('shop')).toEqual([]);
  });

  it('from a channel the run’s service does not take commands in is refused', async () => {
    const h = commandHarness();
    await h.invoke('/deploy', 'main', DEVELOPER);

    const reply = await h.invoke('/slipway', 'cancel shop-run1', DEVELOPER, RANDOM_CHANNEL);

    expect(reply.text).toBe('shop takes commands and buttons only in #shop or <#C0OPS>: use one of those.');
    expect(h.ports.queue.jobs).toEqual(['shop-run1']);
  });

  it.each(['', 'shop-a shop-b'])('"%s" is answered with the usage', async (text) => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', `cancel ${text}`, DEVELOPER);

    expect(reply.usage).toBe(true);
    expect(reply.text).toContain('Give the run id, as shown on the run’s message.');
  });
});
