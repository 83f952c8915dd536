import { describe, expect, it } from 'vitest';
import { grantAllows, signRelease } from '../../../src/core/approval-grant.js';
import { decideApproval } from '../../../src/intake/approval-decision.js';
import { NOW, SIGNING_KEY } from './intake-scene.js';
import { approvalGate, click, DIGEST, OTHER_DIGEST, RUN_ID, TAG, withProduction } from './approval-gate.js';

const twoApprovals = withProduction('approvals: [{ count: 2 }]');

describe('decideApproval: the promotion', () => {
  it('an approval that meets the rules passes the gate, stores a signed grant on the run, queues it once, audits and announces it', async () => {
    const gate = await approvalGate();

    const answer = await decideApproval(click('UBOB'), gate.deps);

    expect(answer).toBeUndefined();
    const run = await gate.ports.runs.get(RUN_ID);
    expect(run?.status).toBe('queued');
    expect(run?.stages.find((s) => s.name === 'approval:production')).toMatchObject({ status: 'passed', summary: 'approved by <@UBOB>', finishedAt: NOW.toISOString() });
    expect(run?.grants).toEqual([{ environment: 'production', digest: DIGEST, by: 'UBOB', at: NOW.toISOString(), signature: expect.any(String) }]);
    expect(grantAllows(SIGNING_KEY, RUN_ID, run?.grants, 'production', DIGEST)).toBe(true);
    expect(gate.ports.queue.jobs).toEqual(['shop-r1-after-production']);
    expect(await gate.ports.audit.list('shop')).toEqual([
      { at: NOW.toISOString(), service: 'shop', environment: 'production', action: 'approve', by: 'UBOB', runId: RUN_ID, detail: TAG },
    ]);
    expect(gate.ports.events.changes).toContain(RUN_ID);
  });

  it('a vote counts once per person: a second Approve by the same person is not counted', async () => {
    const gate = await approvalGate({ yaml: twoApprovals });
    await decideApproval(click('UBOB'), gate.deps);

    const again = await decideApproval(click('UBOB'), gate.deps);

    expect(again).toBe('You have already approved this; still needed: 1 more from <@UBOB> or <@UCAROL> or <@UANN> or <@UPAT> or <!subteam^SRELEASE>.');
    expect(await gate.ports.approvals.votes(RUN_ID, 'production')).toHaveLength(1);
    expect((await gate.ports.approvals.get(RUN_ID, 'production'))?.state).toBe('pending');
    expect(gate.ports.queue.jobs).toEqual([]);
    expect(await gate.ports.audit.list('shop')).toHaveLength(1);
  });

  it('the promotion goes once the second person approves, naming both', async () => {
    const gate = await approvalGate({ yaml: twoApprovals });
    const first = await decideApproval(click('UBOB'), gate.deps);

    const second = await decideApproval(click('UDAVE'), gate.deps);

    expect(first).toBe('Your approval counts. Still needed: 1 more from <@UBOB> or <@UCAROL> or <@UANN> or <@UPAT> or <!subteam^SRELEASE>.');
    expect(second).toBeUndefined();
    expect((await gate.ports.runs.get(RUN_ID))?.stages.find((s) => s.name === 'approval:production')?.summary).toBe('approved by <@UBOB> and <@UDAVE>');
    expect(gate.ports.queue.jobs).toEqual(['shop-r1-after-production']);
  });

  it('with rules naming who must approve, each vote counts for the rule its clicker belongs to, and nobody else may vote', async () => {
    const gate = await approvalGate({ yaml: withProduction('approvals: [{ count: 1, groups: [SRELEASE] }, { count: 1, users: [UBOB] }]') });

    const outsider = await decideApproval(click('UCAROL'), gate.deps);
    const bob = await decideApproval(click('UBOB'), gate.deps);
    const jobsAfterBob = [...gate.ports.queue.jobs];
    const dave = await decideApproval(click('UDAVE'), gate.deps);

    expect(outsider).toBe('Only approvers can do this: <@UBOB>, <!subteam^SRELEASE>.');
    expect(bob).toBe('Your approval counts. Still needed: 1 more from <!subteam^SRELEASE>.');
    expect(jobsAfterBob).toEqual([]);
    expect(dave).toBeUndefined();
    expect(await gate.ports.approvals.votes(RUN_ID, 'production')).toEqual([
      { by: 'UBOB', at: NOW.toISOString(), eligible: [1] },
      { by: 'UDAVE', at: NOW.toISOString(), eligible: [0] },
    ]);
    expect(gate.ports.queue.jobs).toEqual(['shop-r1-after-production']);
  });

  it('of two last votes racing, one promotes and the other is told it was already approved: one queue job', async () => {
    const gate = await approvalGate({ yaml: twoApprovals });
    await decideApproval(click('UBOB'), gate.deps);

    const answers = await Promise.all([decideApproval(click('UCAROL'), gate.deps), decideApproval(click('UDAVE'), gate.deps)]);

    expect(answers.filter((a) => a === undefined)).toHaveLength(1);
    expect(answers.find((a) => a !== undefined)).toMatch(/^Already approved by <@U(CAROL|DAVE)>\.$/);
    expect(gate.ports.queue.jobs).toEqual(['shop-r1-after-production']);
    expect((await gate.ports.audit.list('shop')).filter((e) => e.action === 'approve')).toHaveLength(2);
  });

  it('an approval after the request expired promotes nothing, and says so', async () => {
    const gate = await approvalGate({ approval: { expiresAt: new Date(NOW.getTime() - 1000).toISOString() } });

    const answer = await decideApproval(click('UBOB'), gate.deps);

    expect(answer).toBe('This request has expired; push again or use /deploy to ask anew.');
    expect((await gate.ports.approvals.get(RUN_ID, 'production'))?.state).toBe('expired');
    expect(gate.ports.queue.jobs).toEqual([]);
    expect(await gate.ports.audit.list('shop')).toEqual([]);
  });
});

describe('decideApproval: a request that has run out', () => {
  it('takes no vote towards a promotion that needs more than one, and says it expired', async () => {
    const gate = await approvalGate({ yaml: twoApprovals, approval: { expiresAt: new Date(NOW.getTime() - 1000).toISOString() } });

    const answer = await decideApproval(click('UBOB'), gate.deps);

    expect(answer).toBe('This request has expired; push again or use /deploy to ask anew.');
    expect(await gate.ports.approvals.votes(RUN_ID, 'production')).toEqual([]);
    expect(await gate.ports.audit.list('shop')).toEqual([]);
    expect((await gate.ports.approvals.get(RUN_ID, 'production'))?.state).toBe('expired');
  });
});

describe('decideApproval: rejection', () => {
  it('a Reject ends the run at its gate, without a failure, with the reason; nothing is queued', async () => {
    const gate = await approvalGate();

    const answer = await decideApproval(click('UBOB', 'reject', { reason: 'not before the sale' }), gate.deps);

    expect(answer).toBeUndefined();
    const run = await gate.ports.runs.get(RUN_ID);
    expect(run?.status).toBe('cancelled');
    expect(run?.failure).toBeUndefined();
    expect(run?.stages.find((s) => s.name === 'approval:production')).toMatchObject({ status: 'failed', summary: 'rejected by <@UBOB>: not before the sale' });
    expect(run?.stages.find((s) => s.name === 'deploy:production')?.status).toBe('skipped');
    expect(await gate.ports.approvals.get(RUN_ID, 'production')).toMatchObject({ state: 'rejected', decidedBy: 'UBOB', reason: 'not before the sale' });
    expect(await gate.ports.audit.list('shop')).toEqual([
      { at: NOW.toISOString(), service: 'shop', environment: 'production', action: 'reject', by: 'UBOB', runId: RUN_ID, detail: `${TAG}: not before the sale` },
    ]);
    expect(gate.ports.queue.jobs).toEqual([]);
    expect(gate.ports.events.changes).toContain(RUN_ID);
  });

  it('a Reject needs no signed release on the button', async () => {
    const gate = await approvalGate();

    const answer = await decideApproval(click('UBOB', 'reject', { digest: undefined, signature: undefined }), gate.deps);

    expect(answer).toBeUndefined();
    expect((await gate.ports.runs.get(RUN_ID))?.status).toBe('cancelled');
  });
});

describe('decideApproval: a request no longer pending', () => {
  it.each([
    ['approved', { state: 'approved', by: 'UCAROL' }, 'Already approved by <@UCAROL>.'],
    ['rejected', { state: 'rejected', by: 'UCAROL' }, 'Already rejected by <@UCAROL>.'],
    ['superseded', { state: 'superseded', by: 'shop-r2', reason: 'main-3333333 (run shop-r2) reached this gate after it' }, 'This request was superseded: main-3333333 (run shop-r2) reached this gate after it.'],
    ['cancelled', { state: 'cancelled', by: 'UCAROL' }, 'This run was cancelled.'],
  ] as const)('a click on a request already %s answers so and changes nothing', async (_case, decision, expected) => {
    const gate = await approvalGate();
    await gate.ports.approvals.decide(RUN_ID, 'production', { ...decision, at: NOW.toISOString() });
    gate.ports.events.changes.splice(0);

    const answers = [await decideApproval(click('UBOB'), gate.deps), await decideApproval(click('UBOB', 'reject'), gate.deps)];

    expect(answers).toEqual([expected, expected]);
    expect((await gate.ports.runs.get(RUN_ID))?.status).toBe('waiting');
    expect(gate.ports.queue.jobs).toEqual([]);
    expect(await gate.ports.approvals.votes(RUN_ID, 'production')).toEqual([]);
  });

  it.each([
    ['another run', { runId: 'shop-r9' }],
    ['another environment', { environment: 'staging' }],
  ])('a click for a request slipway does not know (%s) is told so', async (_case, fields) => {
    const gate = await approvalGate();

    const answer = await decideApproval(click('UBOB', 'approve', fields), gate.deps);

    expect(answer).toBe('This approval request is not known any more.');
    expect(gate.ports.queue.jobs).toEqual([]);
  });
});

describe('decideApproval: the release the card was signed for', () => {
  const tamperAnswer =
    'The release waiting at this gate is not the one this card was signed for: it was changed after the card was posted. Nothing was approved; tell the operators (see the audit log) and ask anew with /deploy.';

  it('a button with no signed release approves nothing', async () => {
    const gate = await approvalGate();

    const answer = await decideApproval(click('UBOB', 'approve', { signature: undefined }), gate.deps);

    expect(answer).toBe('This button carries no signed release (a card from before an upgrade?): nothing was approved. Ask anew with /deploy.');
    expect(gate.ports.queue.jobs).toEqual([]);
  });

  it('a card whose signature does not verify is refused and audited as tampering', async () => {
    const gate = await approvalGate();
    const forged = signRelease(Buffer.from('someone else’s key'), { runId: RUN_ID, environment: 'production', digest: DIGEST });

    const answer = await decideApproval(click('UBOB', 'approve', { signature: forged }), gate.deps);

    expect(answer).toBe(tamperAnswer);
    expect(await gate.ports.audit.list('shop')).toEqual([
      {
        at: NOW.toISOString(),
        service: 'shop',
        environment: 'production',
        action: 'tamper',
        by: 'UBOB',
        runId: RUN_ID,
        detail: `approve refused: the card showed ${DIGEST}, the request holds ${DIGEST}, the run ${DIGEST} (bad signature)`,
      },
    ]);
    expect((await gate.ports.approvals.get(RUN_ID, 'production'))?.state).toBe('pending');
    expect(gate.ports.queue.jobs).toEqual([]);
  });

  it('a request and run rewritten to another release after the card was signed are refused and audited', async () => {
    const gate = await approvalGate({ run: (r) => ({ ...r, release: { ...r.release!, digest: OTHER_DIGEST } }), approval: { digest: OTHER_DIGEST } });

    const answer = await decideApproval(click('UBOB'), gate.deps);

    expect(answer).toBe(tamperAnswer);
    expect((await gate.ports.audit.list('shop'))[0]).toMatchObject({
      action: 'tamper',
      detail: `approve refused: the card showed ${DIGEST}, the request holds ${OTHER_DIGEST}, the run ${OTHER_DIGEST}`,
    });
    expect(gate.ports.queue.jobs).toEqual([]);
  });

  it('a run that now carries another release than its request cannot be decided either way', async () => {
    const gate = await approvalGate({ run: (r) => ({ ...r, release: { ...r.release!, digest: OTHER_DIGEST } }) });

    const answers = [await decideApproval(click('UBOB'), gate.deps), await decideApproval(click('UBOB', 'reject'), gate.deps)];

    const expected = `This request was for ${TAG} (${DIGEST.slice(0, 19)}…), and the run now carries another release: it cannot be decided.`;
    expect(answers).toEqual([expected, expected]);
    expect((await gate.ports.approvals.get(RUN_ID, 'production'))?.state).toBe('pending');
  });
});
