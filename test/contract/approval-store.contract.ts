import { describe, expect, it } from 'vitest';
import type { ApprovalStore } from '../../src/core/ports.js';
import { DAY, type MakeSubject } from './subject.js';
import { sampleApproval } from './samples.js';

const BEFORE_EXPIRY = '2026-11-01T12:00:00.000Z';
const AFTER_EXPIRY = '2026-11-02T10:00:01.000Z';

export function describeApprovalStoreContract(name: string, make: MakeSubject<ApprovalStore>) {
  describe(`${name}: ApprovalStore`, () => {
    it('reads an opened request back and lists it as pending for its service', async () => {
      const { store } = await make();
      const approval = sampleApproval({ runId: 'r1', breakGlass: true, from: { tag: 'main-aaaaaaa', sha: 'a'.repeat(40), runId: 'r0' } });

      const superseded = await store.open(approval);

      expect(superseded).toEqual([]);
      expect(await store.get('r1', 'production')).toEqual(approval);
      expect(await store.get('r1', 'staging')).toBeUndefined();
      expect(await store.pending('discounts')).toEqual([approval]);
      expect(await store.pending('cart')).toEqual([]);
    });

    it('supersedes the older pending request of the same gate, and answers it', async () => {
      const { store } = await make();
      await store.open(sampleApproval({ runId: 'r1' }));
      await store.open(sampleApproval({ runId: 's1', environment: 'staging' }));
      await store.open(sampleApproval({ runId: 'c1', service: 'cart' }));
      const newer = sampleApproval({ runId: 'r2', tag: 'main-ddddddd', requestedAt: '2026-11-01T11:00:00.000Z' });

      const superseded = await store.open(newer);

      const answered = {
        ...sampleApproval({ runId: 'r1' }),
        state: 'superseded',
        decidedBy: 'r2',
        decidedAt: '2026-11-01T11:00:00.000Z',
        reason: 'main-ddddddd (run r2) reached this gate after it',
      };
      expect(superseded).toEqual([answered]);
      expect(await store.get('r1', 'production')).toEqual(answered);
      expect((await store.pending('discounts')).map((a) => a.runId).sort()).toEqual(['r2', 's1']);
      expect(await store.pending('cart')).toHaveLength(1);
    });

    it('supersedes, with the newest request, every request still pending at its gate', async () => {
      const { store } = await make();
      await store.open(sampleApproval({ runId: 'r1' }));
      await store.open(sampleApproval({ runId: 'r2' }));

      const superseded = await store.open(sampleApproval({ runId: 'r3' }));

      expect(superseded.map((a) => [a.runId, a.decidedBy])).toEqual([['r2', 'r3']]);
      expect((await store.pending('discounts')).map((a) => a.runId)).toEqual(['r3']);
    });

    it('leaves exactly one request pending, the newest, when several reach the gate at once', async () => {
      const { store } = await make();
      const asked = [1, 2, 3, 4, 5].map((n) => sampleApproval({ runId: `r${n}`, requestedAt: `2026-11-01T10:00:0${n}.000Z` }));

      await Promise.all(asked.map((approval) => store.open(approval)));

      expect((await store.pending('discounts')).map((a) => a.runId)).toEqual(['r5']);
      for (const n of [1, 2, 3, 4]) expect((await store.get(`r${n}`, 'production'))?.state).toBe('superseded');
    });

    it('does not supersede a request opened again for the same run', async () => {
      const { store } = await make();
      await store.open(sampleApproval({ runId: 'r1' }));

      const superseded = await store.open(sampleApproval({ runId: 'r1', tag: 'main-eeeeeee' }));

      expect(superseded).toEqual([]);
      expect(await store.pending('discounts')).toEqual([sampleApproval({ runId: 'r1', tag: 'main-eeeeeee' })]);
    });

    it('takes a decision on a pending request in time, with who, when and why', async () => {
      const { store } = await make();
      await store.open(sampleApproval({ runId: 'r1' }));

      const answer = await store.decide('r1', 'production', { state: 'rejected', by: 'U1', at: BEFORE_EXPIRY, reason: 'not today' });

      const decided = { ...sampleApproval({ runId: 'r1' }), state: 'rejected', decidedBy: 'U1', decidedAt: BEFORE_EXPIRY, reason: 'not today' };
      expect(answer).toEqual({ ok: true, approval: decided });
      expect(await store.get('r1', 'production')).toEqual(decided);
      expect(await store.pending('discounts')).toEqual([]);
    });

    it('keeps the request’s reason when a decision gives none', async () => {
      const { store } = await make();
      await store.open(sampleApproval({ runId: 'r1', reason: 'hotfix' }));
      await store.open(sampleApproval({ runId: 'r2', environment: 'staging', reason: 'hotfix' }));

      const none = await store.decide('r1', 'production', { state: 'approved', by: 'U1', at: BEFORE_EXPIRY });
      const empty = await store.decide('r2', 'staging', { state: 'approved', by: 'U1', at: BEFORE_EXPIRY, reason: '' });

      expect([none.approval.reason, empty.approval.reason]).toEqual(['hotfix', 'hotfix']);
    });

    it('lets exactly one of many racing decisions take', async () => {
      const { store } = await make();
      await store.open(sampleApproval({ runId: 'r1' }));

      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.decide('r1', 'production', { state: 'approved', by: `U${i}`, at: BEFORE_EXPIRY })),
      );

      const winners = answers.filter((a) => a.ok);
      expect(winners).toHaveLength(1);
      expect(answers.every((a) => a.approval.decidedBy === winners[0]?.approval.decidedBy)).toBe(true);
    });

    it('answers a request already decided as it is, without taking the decision', async () => {
      const { store } = await make();
      await store.open(sampleApproval({ runId: 'r1' }));
      const first = await store.decide('r1', 'production', { state: 'approved', by: 'U1', at: BEFORE_EXPIRY });

      const second = await store.decide('r1', 'production', { state: 'cancelled', by: 'U2', at: BEFORE_EXPIRY });

      expect(second).toEqual({ ok: false, approval: first.approval });
    });

    it('marks a request expired, at its expiry, when a decision comes at or after it', async () => {
      const { store } = await make();
      await store.open(sampleApproval({ runId: 'r1' }));
      await store.open(sampleApproval({ runId: 'r2', environment: 'staging' }));

      const late = await store.decide('r1', 'production', { state: 'approved', by: 'U1', at: AFTER_EXPIRY });
      const onTheDot = await store.decide('r2', 'staging', { state: 'approved', by: 'U1', at: '2026-11-02T10:00:00.000Z' });

      const expired = { ...sampleApproval({ runId: 'r1' }), state: 'expired', decidedAt: '2026-11-02T10:00:00.000Z' };
      expect(late).toEqual({ ok: false, approval: expired });
      expect(onTheDot.ok).toBe(false);
      expect(await store.get('r1', 'production')).toEqual(expired);
      expect(await store.pending('discounts')).toEqual([]);
    });

    it('cancels or supersedes a request whatever the time', async () => {
      const { store } = await make();
      await store.open(sampleApproval({ runId: 'r1' }));
      await store.open(sampleApproval({ runId: 'r2', environment: 'staging' }));

      const cancelled = await store.decide('r1', 'production', { state: 'cancelled', by: 'U1', at: AFTER_EXPIRY });
      const superseded = await store.decide('r2', 'staging', { state: 'superseded', by: 'r3', at: AFTER_EXPIRY });

      expect([cancelled.ok, cancelled.approval.state]).toEqual([true, 'cancelled']);
      expect([superseded.ok, superseded.approval.state]).toEqual([true, 'superseded']);
    });

    it('still lists a request past its expiry as pending until something decides it', async () => {
      const { store, advance } = await make();
      await store.open(sampleApproval({ runId: 'r1' }));

      await advance(3 * DAY);

      expect((await store.pending('discounts')).map((a) => a.runId)).toEqual(['r1']);
    });

    it('refuses a decision on a request it does not have, naming it', async () => {
      const { store } = await make();

      const decision = store.decide('r9', 'production', { state: 'approved', by: 'U1', at: BEFORE_EXPIRY });

      await expect(decision).rejects.toThrow('no approval request for run r9 at production');
    });

    it('counts one vote per person, and answers votes in the order of their time', async () => {
      const { store } = await make();
      const second = { by: 'U2', at: '2026-11-01T10:02:00.000Z', eligible: [0] };
      const first = { by: 'U1', at: '2026-11-01T10:01:00.000Z', eligible: [0, 1] };

      const added = [
        await store.vote('r1', 'production', second),
        await store.vote('r1', 'production', first),
        await store.vote('r1', 'production', { ...second, at: '2026-11-01T10:03:00.000Z' }),
      ];

      expect(added).toEqual([true, true, false]);
      expect(await store.votes('r1', 'production')).toEqual([first, second]);
      expect(await store.votes('r1', 'staging')).toEqual([]);
    });

    it('forgets votes 30 days after the last one', async () => {
      const { store, advance } = await make();
      await store.vote('r1', 'production', { by: 'U1', at: '2026-11-01T10:01:00.000Z', eligible: [0] });
      await advance(20 * DAY);
      await store.vote('r1', 'production', { by: 'U2', at: '2026-11-21T10:01:00.000Z', eligible: [0] });

      await advance(29 * DAY);
      const before = await store.votes('r1', 'production');
      await advance(2 * DAY);

      expect(before).toHaveLength(2);
      expect(await store.votes('r1', 'production')).toEqual([]);
    });

    it('keeps what it stored whatever a caller does to the objects it passed or was given', async () => {
      const { store } = await make();
      const approval = sampleApproval({ runId: 'r1' });
      await store.open(approval);
      const vote = { by: 'U1', at: '2026-11-01T10:01:00.000Z', eligible: [0] };
      await store.vote('r1', 'production', vote);

      approval.digest = 'sha256:changed';
      (await store.get('r1', 'production'))!.state = 'approved';
      vote.eligible.push(1);
      (await store.votes('r1', 'production'))[0]!.eligible.push(2);

      expect(await store.get('r1', 'production')).toEqual(sampleApproval({ runId: 'r1' }));
      expect((await store.votes('r1', 'production'))[0]?.eligible).toEqual([0]);
    });
  });
}
