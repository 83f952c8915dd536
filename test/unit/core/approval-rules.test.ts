import { describe, expect, it } from 'vitest';
import { approvalProgress, approvalRules, describeMissing, eligibleRules, type Vote } from '../../../src/core/approval-rules.js';
import { Service, type ServiceConfig } from '../../../src/core/config-schema.js';

const service = (environment: object): ServiceConfig => ({
  name: 'shop',
  ...Service.parse({ repo: 'acme/shop', image: '127.0.0.1:5000/shop', channel: '#shop', branches: [{ match: 'main', deploy: 'production' }], approvers: { users: ['U0BOB'] }, environments: [{ name: 'production', port: 9000, requireApproval: true, ...environment }] }),
});
const vote = (by: string, eligible: number[]): Vote => ({ by, at: '2026-11-24T10:00:00Z', eligible });

describe('approvalRules', () => {
  it('is one approval from the approvers by default, and one more when breaking a freeze', () => {
    const s = service({});
    expect(approvalRules(s, s.environments[0]!)).toEqual([{ count: 1, users: ['U0BOB'], groups: [] }]);
    expect(approvalRules(s, s.environments[0]!, { breakGlass: true })).toHaveLength(2);
    const open = service({ requireApproval: false });
    expect(approvalRules(open, open.environments[0]!, { breakGlass: true })).toEqual([{ count: 1, users: ['U0BOB'], groups: [] }]);
  });
});

describe('approvalProgress', () => {
  const twoOfRelease = [{ count: 2, users: [], groups: ['S0REL'] }];
  const oneEach = [{ count: 1, users: [], groups: ['S0REL'] }, { count: 1, users: [], groups: ['S0SEC'] }];

  it('counts each person once towards 2 of a group', () => {
    expect(approvalProgress(twoOfRelease, [vote('U1', [0])])).toMatchObject({ met: false, missing: [{ need: 1 }], counted: ['U1'] });
    expect(approvalProgress(twoOfRelease, [vote('U1', [0]), vote('U2', [0])]).met).toBe(true);
  });

  it('does not let someone in both groups fill both places, but seats them where they fit best', () => {
    expect(approvalProgress(oneEach, [vote('U1', [0, 1])]).met).toBe(false);
    // U1 could take either rule; U2 only the first: the matching moves U1 to the second.
    expect(approvalProgress(oneEach, [vote('U1', [0, 1]), vote('U2', [0])])).toMatchObject({ met: true, counted: expect.arrayContaining(['U1', 'U2']) });
  });

  it('says what is missing', () => {
    expect(describeMissing(approvalProgress(oneEach, [vote('U2', [0])]).missing)).toBe('1 more from <!subteam^S0SEC>');
  });

  it('finds the rules a person may count for', () => {
    const members = new Map([['S0REL', new Set(['U1'])], ['S0SEC', new Set(['U1', 'U2'])]]);
    expect(eligibleRules(oneEach, 'U1', members)).toEqual([0, 1]);
    expect(eligibleRules(oneEach, 'U2', members)).toEqual([1]);
    expect(eligibleRules(oneEach, 'U3', members)).toEqual([]);
  });
});
