import { describe, expect, it } from 'vitest';
import { carryGrants, grantAllows, grantFor, signRelease, verifyRelease } from '../../../src/core/approval-grant.js';
import { parseApprovalKey, signedApprovalKey } from '../../../src/core/messages/approval-card.js';

const key = Buffer.from('k'.repeat(64));
const other = Buffer.from('o'.repeat(64));
const signed = { runId: 'shop-abc', environment: 'production', digest: `sha256:${'a'.repeat(64)}` };
const at = new Date('2026-01-01T00:00:00Z');

describe('approval signatures', () => {
  it('verifies only the same run, environment and digest under the same key', () => {
    const signature = signRelease(key, signed);
    expect(verifyRelease(key, signed, signature)).toBe(true);
    for (const changed of [{ runId: 'shop-abd' }, { environment: 'staging' }, { digest: `sha256:${'b'.repeat(64)}` }]) {
      expect(verifyRelease(key, { ...signed, ...changed }, signature)).toBe(false);
    }
    expect(verifyRelease(other, signed, signature)).toBe(false);
    expect(verifyRelease(key, signed, undefined)).toBe(false);
    expect(verifyRelease(key, signed, 'not hex')).toBe(false);
  });

  it('cannot be moved between fields by shifting separators', () => {
    expect(signRelease(key, { runId: 'a|b', environment: 'c', digest: 'd' })).not.toBe(signRelease(key, { runId: 'a', environment: 'b|c', digest: 'd' }));
  });

  it('lets a deploy through only with a grant for that environment and digest', () => {
    const grant = grantFor(key, signed, 'U0BOB', at);
    expect(grantAllows(key, signed.runId, [grant], 'production', signed.digest)).toBe(true);
    expect(grantAllows(key, signed.runId, [grant], 'production', `sha256:${'b'.repeat(64)}`)).toBe(false);
    expect(grantAllows(key, signed.runId, [{ ...grant, digest: `sha256:${'b'.repeat(64)}` }], 'production', `sha256:${'b'.repeat(64)}`)).toBe(false);
    expect(grantAllows(key, 'shop-other', [grant], 'production', signed.digest)).toBe(false);
    expect(grantAllows(key, signed.runId, undefined, 'production', signed.digest)).toBe(false);
  });

  it('round-trips the signed button value; the old two-part value still parses for Reject', () => {
    const value = signedApprovalKey({ ...signed, signature: signRelease(key, signed) });
    expect(parseApprovalKey(value)).toEqual({ ...signed, signature: signRelease(key, signed) });
    expect(parseApprovalKey('shop-abc|production')).toEqual({ runId: 'shop-abc', environment: 'production' });
    expect(parseApprovalKey('shop-abc|production|sha256:x')).toBeUndefined();
    expect(parseApprovalKey('a|b|c|d|e')).toBeUndefined();
  });
});

describe('grants a re-run of checks takes along', () => {
  const grant = grantFor(key, signed, 'U0BOB', at);
  const to = { runId: 'shop-new', digest: signed.digest, environments: ['production'] };

  it('re-signs a grant that verifies for the same digest and environment for the new run, keeping who and when', () => {
    const [carried] = carryGrants(key, { runId: signed.runId, grants: [grant] }, to);
    expect(carried).toEqual({ ...grant, signature: signRelease(key, { ...signed, runId: 'shop-new' }) });
    expect(grantAllows(key, 'shop-new', [carried!], 'production', signed.digest)).toBe(true);
    expect(grantAllows(key, signed.runId, [carried!], 'production', signed.digest)).toBe(false);
  });

  it.each([
    ['a grant rewritten to another digest', { ...grant, digest: `sha256:${'e'.repeat(64)}` }, to],
    ['a re-run of another digest', grant, { ...to, digest: `sha256:${'e'.repeat(64)}` }],
    ['a re-run that does not deploy there', grant, { ...to, environments: ['staging'] }],
    ['a grant signed with another key', grantFor(other, signed, 'U0BOB', at), to],
    ['a grant moved to another environment', { ...grant, environment: 'qa' }, { ...to, environments: ['qa'] }],
  ])('leaves behind %s', (_what, g, target) => {
    expect(carryGrants(key, { runId: signed.runId, grants: [g] }, target)).toEqual([]);
  });

  it('carries nothing from a run without grants', () => {
    expect(carryGrants(key, { runId: signed.runId }, to)).toEqual([]);
  });
});
