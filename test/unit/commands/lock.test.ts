import { describe, expect, it } from 'vitest';
import { APPROVER, commandHarness, DEVELOPER, GROUP_APPROVER, NOW, OTHER } from './command-harness.js';

const inFourHours = new Date(NOW.getTime() + 4 * 3600_000);

/** A run waiting at production's gate: its card shows the lock, so lock changes must reach it. */
async function cardAtProduction(h: ReturnType<typeof commandHarness>) {
  await h.ports.approvals.open({
    runId: 'shop-waiting',
    service: 'shop',
    environment: 'production',
    digest: 'sha256:1',
    tag: 'main-aaaaaaa',
    sha: 'a'.repeat(40),
    state: 'pending',
    requestedAt: NOW.toISOString(),
    expiresAt: new Date(NOW.getTime() + 24 * 3600_000).toISOString(),
  });
  h.ports.events.changes.length = 0;
}

describe('/slipway lock', () => {
  it('takes a free lock, says so in the channel, schedules the holder’s reminder and updates the cards at that gate', async () => {
    const h = commandHarness();
    await cardAtProduction(h);

    const reply = await h.invoke('/slipway', 'lock production reason: audit week', DEVELOPER);

    expect(reply).toEqual({ text: ':lock: <@UDEVELOPER> locked shop production: audit week.', visibility: 'in_channel' });
    const lock = { service: 'shop', environment: 'production', by: DEVELOPER, reason: 'audit week', at: NOW.toISOString() };
    expect(await h.ports.locks.get('shop', 'production')).toEqual(lock);
    expect([...h.ports.gates.reminders.values()]).toEqual([{ lock, at: inFourHours }]);
    expect(h.ports.events.changes).toEqual(['shop-waiting']);
    expect(await h.ports.audit.list('shop')).toEqual([{ at: NOW.toISOString(), service: 'shop', environment: 'production', action: 'lock', by: DEVELOPER, detail: 'audit week' }]);
  });

  it.each([
    ['production', ''],
    ['shop production', ''],
    ['production load test', 'load test'],
    ['shop production reason: load test', 'load test'],
  ])('"%s" locks production with the reason "%s"', async (text, reason) => {
    const h = commandHarness();

    await h.invoke('/slipway', `lock ${text}`, DEVELOPER);

    expect((await h.ports.locks.get('shop', 'production'))?.reason).toBe(reason);
  });

  it('taken again by its holder changes the reason only: same start, no second reminder', async () => {
    const h = commandHarness();
    await h.invoke('/slipway', 'lock production reason: audit', DEVELOPER);
    h.deps.now = () => new Date(NOW.getTime() + 3600_000);

    const reply = await h.invoke('/slipway', 'lock production reason: audit, day 2', DEVELOPER);

    expect(reply).toEqual({ text: ':pencil2: <@UDEVELOPER> changed the reason of the shop production lock: audit, day 2.', visibility: 'in_channel' });
    expect(await h.ports.locks.get('shop', 'production')).toMatchObject({ by: DEVELOPER, reason: 'audit, day 2', at: NOW.toISOString() });
    expect(h.ports.gates.reminders.size).toBe(1);
  });

  it('held by someone else: you queue for it, once, and are told your place', async () => {
    const h = commandHarness();
    await h.invoke('/slipway', 'lock production reason: audit', DEVELOPER);

    const first = await h.invoke('/slipway', 'lock production reason: hotfix', OTHER);
    const again = await h.invoke('/slipway', 'lock production reason: hotfix', OTHER);
    const second = await h.invoke('/slipway', 'lock production', APPROVER);

    expect(first).toEqual({
      text: ':hourglass_flowing_sand: production is locked by <@UDEVELOPER>: audit. You are #1 in the queue for it; slipway will ping you when it passes to you.',
      visibility: 'ephemeral',
    });
    expect(again.text).toContain('You are #1 in the queue');
    expect(second.text).toContain('You are #2 in the queue');
    expect((await h.ports.locks.queue('shop', 'production')).map((w) => w.by)).toEqual([OTHER, APPROVER]);
    expect(await h.ports.locks.get('shop', 'production')).toMatchObject({ by: DEVELOPER });
  });

  it.each([
    ['', 'Name the environment to lock.'],
    ['qa', 'shop has no environment "qa": staging, production.'],
  ])('"%s" is answered with the usage', async (text, problem) => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', `lock ${text}`, DEVELOPER);

    expect(reply.usage).toBe(true);
    expect(reply.text).toContain(problem);
    expect(await h.ports.locks.list('shop')).toEqual([]);
  });
});

describe('/slipway unlock', () => {
  it('by the holder, with people queued: the lock passes to the first, who gets a reminder; the cards are updated', async () => {
    const h = commandHarness();
    await h.invoke('/slipway', 'lock production reason: audit', DEVELOPER);
    await h.invoke('/slipway', 'lock production reason: hotfix', OTHER);
    await h.invoke('/slipway', 'lock production', APPROVER);
    await cardAtProduction(h);
    h.ports.gates.reminders.clear();

    const reply = await h.invoke('/slipway', 'unlock production', DEVELOPER);

    expect(reply).toEqual({ text: ':unlock: <@UDEVELOPER> unlocked shop production. :lock: It passes to <@UOTHER>, next in the queue: hotfix. 1 still waiting.', visibility: 'in_channel' });
    const next = { service: 'shop', environment: 'production', by: OTHER, reason: 'hotfix', at: NOW.toISOString() };
    expect(await h.ports.locks.get('shop', 'production')).toEqual(next);
    expect([...h.ports.gates.reminders.values()]).toEqual([{ lock: next, at: inFourHours }]);
    expect(h.ports.events.changes).toEqual(['shop-waiting']);
    expect((await h.ports.audit.list('shop', 'production', 2)).map((e) => [e.action, e.by, e.detail])).toEqual([
      ['lock', OTHER, 'from the queue: hotfix'],
      ['unlock', DEVELOPER, undefined],
    ]);
  });

  it('by an approver who does not hold it, with nobody queued: the environment is free', async () => {
    const h = commandHarness();
    await h.invoke('/slipway', 'lock production', DEVELOPER);

    const reply = await h.invoke('/slipway', 'unlock shop production', GROUP_APPROVER);

    expect(reply).toEqual({ text: ':unlock: <@UGROUPMEMBER> unlocked shop production.', visibility: 'in_channel' });
    expect(await h.ports.locks.get('shop', 'production')).toBeUndefined();
  });

  it('by someone who neither holds it nor approves is refused, and the lock stays', async () => {
    const h = commandHarness();
    await h.invoke('/slipway', 'lock production reason: audit', DEVELOPER);

    const reply = await h.invoke('/slipway', 'unlock production', OTHER);

    expect(reply).toEqual({ text: 'Only <@UDEVELOPER>, who holds the lock, or an approver of production can unlock it.', visibility: 'ephemeral' });
    expect(await h.ports.locks.get('shop', 'production')).toMatchObject({ by: DEVELOPER });
  });

  it('of an environment nobody locked says so and records nothing', async () => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', 'unlock production', APPROVER);

    expect(reply).toEqual({ text: 'shop production is not locked.', visibility: 'ephemeral' });
    expect(await h.ports.audit.list('shop')).toEqual([]);
  });

  it.each(['', 'shop production now'])('"%s" is answered with the usage', async (text) => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', `unlock ${text}`, APPROVER);

    expect(reply.usage).toBe(true);
    expect(reply.text).toContain('Name the environment to unlock.');
  });

  it('the old /unlock spelling is the same command', async () => {
    const h = commandHarness();
    await h.invoke('/lock', 'staging', DEVELOPER);

    const reply = await h.invoke('/unlock', 'staging', DEVELOPER);

    expect(reply.text).toBe(':unlock: <@UDEVELOPER> unlocked shop staging.');
  });
});
