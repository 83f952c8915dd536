import { describe, expect, it } from 'vitest';
import { lockAllows, mayApprove } from '../../../src/core/approval-policy.js';

const approvers = { users: ['U0BOB'], groups: ['S0REL'] };
const ask = (userId: string, extra: Partial<Parameters<typeof mayApprove>[0]> = {}) =>
  mayApprove({ userId, approvers, groupMembers: new Set(['U0CAROL']), allowSelfApproval: false, selfIds: new Set(['U0ANN']), ...extra });
const lock = { service: 's', environment: 'production', by: 'U0CAROL', reason: 'audit', at: '2026-11-20T10:00:00Z' };

describe('mayApprove', () => {
  it.each([
    ['a listed user', 'U0BOB', {}, true],
    ['a member of a listed group', 'U0CAROL', {}, true],
    ['someone else', 'U0DAVE', {}, false],
    ['the author, when self-approval is forbidden', 'U0ANN', { approvers: { users: ['U0ANN'], groups: [] } }, false],
    ['the author, when self-approval is allowed', 'U0ANN', { approvers: { users: ['U0ANN'], groups: [] }, allowSelfApproval: true }, true],
    ['an approver, when another holds the lock', 'U0BOB', { lock }, false],
    ['the lock’s holder', 'U0CAROL', { lock }, true],
  ] as [string, string, Partial<Parameters<typeof mayApprove>[0]>, boolean][])('%s: %s', (_name, userId, extra, ok) => {
    expect(ask(userId, extra).ok).toBe(ok);
  });

  it('names who may approve when refusing', () => {
    expect(ask('U0DAVE')).toEqual({ ok: false, reason: 'Only approvers can do this: <@U0BOB>, <!subteam^S0REL>.' });
  });
});

describe('lockAllows', () => {
  it('lets through the holder, or anyone when unlocked', () => {
    expect(lockAllows(undefined, 'U1').ok).toBe(true);
    expect(lockAllows(lock, 'U0CAROL').ok).toBe(true);
    expect(lockAllows(lock, 'U1')).toEqual({ ok: false, reason: 'production is locked by <@U0CAROL>: audit' });
  });
});
