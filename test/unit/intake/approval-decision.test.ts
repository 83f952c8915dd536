import { describe, expect, it } from 'vitest';
import { decideApproval } from '../../../src/intake/approval-decision.js';
import type { Run } from '../../../src/core/run.js';
import { NOW } from './intake-scene.js';
import { approvalGate, click, PAT, withProduction } from './approval-gate.js';

const hours = (n: number) => new Date(NOW.getTime() + n * 3600_000).toISOString();

/** Nothing moved: the request still pending, the run still parked, nothing queued or announced. */
async function expectNothingDecided({ ports }: Awaited<ReturnType<typeof approvalGate>>) {
  expect((await ports.approvals.get('shop-r1', 'production'))?.state).toBe('pending');
  expect((await ports.runs.get('shop-r1'))?.status).toBe('waiting');
  expect(await ports.approvals.votes('shop-r1', 'production')).toEqual([]);
  expect(ports.queue.jobs).toEqual([]);
  expect(ports.events.changes).toEqual([]);
}

describe('decideApproval: who may approve', () => {
  it.each([
    ['an approver named by user id', 'UBOB'],
    ['a member of an approver group', 'UDAVE'],
  ])('%s may approve', async (_case, userId) => {
    const gate = await approvalGate();

    const answer = await decideApproval(click(userId), gate.deps);

    expect(answer).toBeUndefined();
    expect(await gate.ports.approvals.get('shop-r1', 'production')).toMatchObject({ state: 'approved', decidedBy: userId });
    expect(gate.ports.queue.jobs).toEqual(['shop-r1-after-production']);
  });

  it.each(['approve', 'reject'] as const)('someone who is no approver may not %s, and is told who may', async (decision) => {
    const gate = await approvalGate();

    const answer = await decideApproval(click('UEVE', decision), gate.deps);

    expect(answer).toBe('Only approvers can do this: <@UBOB>, <@UCAROL>, <@UANN>, <@UPAT>, <!subteam^SRELEASE>.');
    await expectNothingDecided(gate);
  });

  it.each([
    ['the commit’s author (found by Slack’s e-mail lookup)', 'UANN', {}],
    ['the pusher', 'UPAT', {}],
    ['whoever asked for the deploy in Slack', 'UBOB', { run: (r: Run) => ({ ...r, trigger: 'deploy' as const, triggeredBy: { name: 'bob', username: 'UBOB' } }) }],
    ['whoever forced the deploy', 'UCAROL', { run: (r: Run) => ({ ...r, override: { by: 'UCAROL', reason: 'hotfix' } }) }],
    ['the author as `people:` names them, when Slack does not know the e-mail', 'UBOB', { users: {}, people: { UBOB: { emails: ['ANN@example.com'], usernames: [] } } }],
  ])('%s may not approve their own change', async (_case, userId, options) => {
    const gate = await approvalGate({ users: { 'ann@example.com': 'UANN', 'pat@example.com': 'UPAT' }, ...options });

    const answer = await decideApproval(click(userId), gate.deps);

    expect(answer).toBe('You cannot approve your own change: ask another approver.');
    await expectNothingDecided(gate);
  });

  it('the author may approve their own change where the environment allows self-approval', async () => {
    const gate = await approvalGate({ yaml: withProduction('allowSelfApproval: true') });

    const answer = await decideApproval(click('UANN'), gate.deps);

    expect(answer).toBeUndefined();
    expect(gate.ports.queue.jobs).toEqual(['shop-r1-after-production']);
  });

  it('fails closed when slipway cannot tell who the author is: nobody may approve', async () => {
    const gate = await approvalGate({ users: { 'pat@example.com': 'UPAT' } });

    const answer = await decideApproval(click('UBOB'), gate.deps);

    expect(answer).toBe(
      'slipway cannot tell who Ann Author <ann@example.com> is in Slack, so it cannot tell that this is not your own change: nothing was approved. An operator can add them under people: in slipway.yml (their Slack id with this e-mail or git username).',
    );
    await expectNothingDecided(gate);
  });

  it('a pusher Slack cannot identify fails closed as the author does', async () => {
    const gate = await approvalGate({ users: { 'ann@example.com': 'UANN' } });

    const answer = await decideApproval(click('UBOB'), gate.deps);

    expect(answer).toContain(`slipway cannot tell who ${PAT.name} <${PAT.email}> is in Slack`);
    await expectNothingDecided(gate);
  });

  it('an unidentified author does not stop an approver from rejecting', async () => {
    const gate = await approvalGate({ users: {} });

    const answer = await decideApproval(click('UBOB', 'reject'), gate.deps);

    expect(answer).toBeUndefined();
    expect((await gate.ports.runs.get('shop-r1'))?.status).toBe('cancelled');
  });
});

describe('decideApproval: break glass', () => {
  const breakGlass = {
    yaml: withProduction('allowSelfApproval: true'),
    run: (r: Run) => ({ ...r, override: { by: 'UCAROL', reason: 'outage' } }),
    approval: { breakGlass: true },
  };

  it('the one who broke glass may not approve it, even where self-approval is allowed', async () => {
    const gate = await approvalGate(breakGlass);

    const answer = await decideApproval(click('UCAROL'), gate.deps);

    expect(answer).toBe('You cannot approve your own change: ask another approver.');
    await expectNothingDecided(gate);
  });

  it('needs one approval more than usual: two other people', async () => {
    const gate = await approvalGate(breakGlass);

    const first = await decideApproval(click('UBOB'), gate.deps);
    const jobsAfterFirst = [...gate.ports.queue.jobs];
    const second = await decideApproval(click('UDAVE'), gate.deps);

    expect(first).toBe('Your approval counts. Still needed: 1 more from <@UBOB> or <@UCAROL> or <@UANN> or <@UPAT> or <!subteam^SRELEASE>.');
    expect(jobsAfterFirst).toEqual([]);
    expect(second).toBeUndefined();
    expect(gate.ports.queue.jobs).toEqual(['shop-r1-after-production']);
    expect((await gate.ports.runs.get('shop-r1'))?.stages.find((s) => s.name === 'approval:production')?.summary).toBe('approved by <@UBOB> and <@UDAVE>');
  });
});

describe('decideApproval: locks and freezes', () => {
  const lock = { service: 'shop', environment: 'production', by: 'UCAROL', reason: 'release audit', at: NOW.toISOString() };

  it('a locked environment may not be approved by anyone but the holder', async () => {
    const gate = await approvalGate();
    await gate.ports.locks.take(lock);
    gate.ports.events.changes.splice(0);

    const answer = await decideApproval(click('UBOB'), gate.deps);

    expect(answer).toBe('production is locked by <@UCAROL>: release audit. Ask them to /slipway unlock it.');
    await expectNothingDecided(gate);
  });

  it.each([
    ['the lock’s holder may approve', 'UCAROL', 'approve', 'shop-r1-after-production'],
    ['anyone may reject', 'UBOB', 'reject', undefined],
  ] as const)('in a locked environment %s', async (_case, userId, decision, job) => {
    const gate = await approvalGate();
    await gate.ports.locks.take(lock);

    const answer = await decideApproval(click(userId, decision), gate.deps);

    expect(answer).toBeUndefined();
    expect(gate.ports.queue.jobs).toEqual(job ? [job] : []);
  });

  it('a frozen environment takes no promotion, and the approver is told how to break glass', async () => {
    const gate = await approvalGate();
    await gate.ports.freezes.set({ service: 'shop', environment: 'production', from: hours(-1), until: hours(2), reason: 'year-end', by: 'UCAROL' });

    const answer = await decideApproval(click('UBOB'), gate.deps);

    expect(answer).toMatch(/^production is frozen until .+: year-end\. Promotions wait until then, or an approver breaks glass: \/deploy force main to production reason: …$/);
    await expectNothingDecided(gate);
  });

  it('a freeze declared in slipway.yml stops the promotion too', async () => {
    const gate = await approvalGate({ yaml: withProduction(`freezes: [{ from: "${hours(-1)}", until: "${hours(1)}" }]`) });

    const answer = await decideApproval(click('UBOB'), gate.deps);

    expect(answer).toMatch(/^production is frozen until /);
    await expectNothingDecided(gate);
  });

  it('a break glass gets past the very freeze it was for', async () => {
    const freeze = { from: hours(-1), until: hours(2) };
    const gate = await approvalGate({
      run: (r) => ({ ...r, override: { by: 'UCAROL', reason: 'outage' }, breaks: [{ environment: 'production', ...freeze }] }),
      approval: { breakGlass: true },
    });
    await gate.ports.freezes.set({ service: 'shop', environment: 'production', ...freeze, reason: 'year-end', by: 'UCAROL' });

    await decideApproval(click('UBOB'), gate.deps);
    const answer = await decideApproval(click('UDAVE'), gate.deps);

    expect(answer).toBeUndefined();
    expect(gate.ports.queue.jobs).toEqual(['shop-r1-after-production']);
  });

  it('a freeze declared after the break glass stops it like any other', async () => {
    const gate = await approvalGate({
      run: (r) => ({ ...r, override: { by: 'UCAROL', reason: 'outage' }, breaks: [{ environment: 'production', from: hours(-3), until: hours(-2) }] }),
      approval: { breakGlass: true },
    });
    await gate.ports.freezes.set({ service: 'shop', environment: 'production', from: hours(-1), until: hours(2), reason: 'incident', by: 'UCAROL' });

    const answer = await decideApproval(click('UBOB'), gate.deps);

    expect(answer).toMatch(/^production is frozen until .+: incident\./);
    expect(gate.ports.queue.jobs).toEqual([]);
  });
});
