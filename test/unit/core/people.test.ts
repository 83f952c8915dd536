import { describe, expect, it } from 'vitest';
import { mayApprove } from '../../../src/core/approval-policy.js';
import { breaksFreeze, brokenFreeze, unbrokenFreeze } from '../../../src/core/freeze.js';
import { describePerson, personFromConfig } from '../../../src/core/people.js';

const people = { U0ANN: { emails: ['123+ann@users.noreply.github.com'], usernames: ['ann'] } };

describe('people: git identities by Slack id', () => {
  it.each([
    [{ name: 'Ann', email: '123+Ann@users.noreply.github.com' }, 'U0ANN'],
    [{ name: 'Ann', username: 'ANN' }, 'U0ANN'],
    [{ name: 'Ann', email: 'ann@elsewhere.example' }, undefined],
    [{ name: 'U0ANN' }, undefined],
  ])('%o → %s', (person, id) => {
    expect(personFromConfig(people, person)).toBe(id);
  });

  it('describes who could not be identified', () => {
    expect(describePerson({ name: 'Ann', email: 'a@x' })).toBe('Ann <a@x>');
    expect(describePerson({ name: 'Ann' })).toBe('Ann (no e-mail or git username known)');
  });
});

describe('self-approval fails closed', () => {
  const base = { userId: 'U0BOB', approvers: { users: ['U0BOB'], groups: [] }, groupMembers: new Set<string>(), selfIds: new Set<string>() };
  it('refuses when someone behind the change is unidentified, unless self-approval is allowed', () => {
    const refused = mayApprove({ ...base, allowSelfApproval: false, unidentified: ['Ann <x@y>'] });
    expect(refused).toMatchObject({ ok: false, reason: expect.stringContaining('slipway cannot tell who Ann <x@y> is in Slack') });
    expect(refused.ok || refused.reason).toContain('people:');
    expect(mayApprove({ ...base, allowSelfApproval: true, unidentified: ['Ann <x@y>'] })).toEqual({ ok: true });
    expect(mayApprove({ ...base, allowSelfApproval: false, unidentified: [] })).toEqual({ ok: true });
  });
});

describe('break glass is bound to the freeze it breaks', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const first = { from: '2026-06-01T10:00:00Z', until: '2026-06-01T18:00:00Z', timeZone: 'UTC' };
  const later = { from: '2026-06-01T11:00:00Z', until: '2026-06-01T14:00:00Z', timeZone: 'UTC', reason: 'incident' };
  const run = { override: { by: 'U0BOB', reason: 'x' }, breaks: [brokenFreeze('production', { from: new Date(first.from), until: new Date(first.until), timeZone: 'UTC' })] };

  it('gets past the freeze it was for, not one declared after it, nor in another environment', () => {
    expect(unbrokenFreeze(run, 'production', [first], now)).toBeUndefined();
    expect(unbrokenFreeze(run, 'production', [first, later], now)).toMatchObject({ reason: 'incident' });
    expect(unbrokenFreeze(run, 'staging', [first], now)).toBeDefined();
    expect(unbrokenFreeze({ breaks: run.breaks }, 'production', [first], now)).toBeDefined();
  });

  it('treats a moved freeze as another freeze', () => {
    const moved = { from: new Date(first.from), until: new Date('2026-06-01T20:00:00Z'), timeZone: 'UTC' };
    expect(breaksFreeze(run, 'production', moved)).toBe(false);
  });
});
