import { describe, expect, it } from 'vitest';
import { approvalCard, parseApprovalKey } from '../../../../src/core/messages/approval-card.js';
import type { Approval } from '../../../../src/core/ports.js';
import { aRun } from '../../../helpers/runs.js';

const run = {
  ...aRun({ sha: 'b'.repeat(40), stages: ['approval:production', 'deploy:production'] }),
  quality: { tests: { total: 3, passed: 3, failed: 0, skipped: 0 }, coverage: 91 },
};
const approval: Approval = {
  runId: 'shop-abc', service: 'shop', environment: 'production', digest: 'sha256:1', tag: 'main-bbbbbbb', sha: 'b'.repeat(40),
  state: 'pending', requestedAt: '2026-11-20T10:00:00Z', expiresAt: '2026-11-21T10:00:00Z',
};
const commits = [{ sha: 'c'.repeat(40), message: 'Fix <script> tag\nmore', author: { name: 'Bob' } }];

describe('approvalCard', () => {
  it('shows what goes where, the changes, how it tested, and both buttons with confirmations', () => {
    const card = JSON.stringify(approvalCard({ run, approval, commits, coverageChange: 1.5 }).blocks);
    expect(card).toContain('_nothing yet_ → `main-bbbbbbb` (`bbbbbbb`)');
    expect(card).toContain('`ccccccc` Fix &lt;script&gt; tag — Bob');
    expect(card).toContain('tests 3 passed · coverage 91 % (+1.5)');
    expect(card).toContain('"action_id":"approve_promotion"');
    expect(card).toContain('"action_id":"reject_promotion"');
    expect(card).toContain('"title":{"type":"plain_text","text":"Approve?"}');
    expect(card).toContain('"title":{"type":"plain_text","text":"Reject?"}');
  });

  it.each([
    [{ state: 'approved', decidedBy: 'U0BOB', decidedAt: '2026-11-20T11:00:00Z' }, `Approved by <@U0BOB> at <!date^${Date.parse('2026-11-20T11:00:00Z') / 1000}^{date_short_pretty} at {time}|2026-11-20T11:00:00Z>`],
    [{ state: 'rejected', decidedBy: 'U0BOB', reason: 'not <now>' }, 'Rejected by <@U0BOB>: not &lt;now&gt;'],
    [{ state: 'superseded', reason: 'main-ccc (run shop-x) reached this gate after it' }, 'Superseded: main-ccc (run shop-x) reached this gate after it. These buttons no longer work.'],
    [{ state: 'expired', decidedAt: '2026-11-21T10:00:00Z' }, 'Expired at'],
  ] as const)('once decided (%#) says how, and has no buttons', (change, text) => {
    const card = JSON.stringify(approvalCard({ run, approval: { ...approval, ...change }, commits: [] }).blocks);
    expect(card).toContain(text);
    expect(card).not.toContain('approve_promotion');
  });

  it('shows a lock while pending', () => {
    const lock = { service: 'shop', environment: 'production', by: 'U0CAROL', reason: 'audit', at: '' };
    expect(JSON.stringify(approvalCard({ run, approval, commits: [], lock }).blocks)).toContain(':lock: production is locked by <@U0CAROL>: audit');
  });

  it('reads back the key its buttons carry', () => {
    expect(parseApprovalKey('shop-abc|production')).toEqual({ runId: 'shop-abc', environment: 'production' });
    expect(parseApprovalKey('shop-abc')).toBeUndefined();
    expect(parseApprovalKey('a|b|c')).toBeUndefined();
  });
});
