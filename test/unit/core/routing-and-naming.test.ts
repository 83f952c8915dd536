import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { branchSlug, containerName, ephemeralEnvName, imageTag, NAME_LIMITS, nameTooLong } from '../../../src/core/naming.js';
import { branchMatches, routeFor } from '../../../src/core/routing.js';

describe('branchMatches', () => {
  it.each([
    ['main', 'main', true],
    ['main', 'main2', false],
    ['dev/feature*', 'dev/feature-login', true],
    ['dev/feature*', 'dev/feature/login/v2', true],
    ['dev/feature*', 'dev/fix-1', false],
    ['release/*.x', 'release/1.x', true],
    ['release/*.x', 'release/1yx', false],
    ['a+b', 'a+b', true],
  ])('%s matches %s: %s', (pattern, branch, expected) => {
    expect(branchMatches(pattern, branch)).toBe(expected);
  });

  it.each([
    ['*', '', true],
    ['**', 'x', true],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['*ab*ab*', 'abab', true],
    ['*ab*ab*', 'aba', false],
    ['x*y*z', 'x-z-y-z', true],
    ['x*y*z', 'xzy', false],
    ['release/*', 'release/', true],
  ])('edge case: %s matches "%s": %s', (pattern, branch, expected) => {
    expect(branchMatches(pattern, branch)).toBe(expected);
  });

  it('agrees with the regular expression it replaces', () => {
    // The old `^…$` compile with `.*` per star, fine as a reference on short inputs.
    const reference = (pattern: string, branch: string) =>
      new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(branch);
    const text = (max: number) => fc.string({ unit: fc.constantFrom('a', 'b', '/', '.', '*'), maxLength: max });
    fc.assert(
      fc.property(text(8), text(12).map((b) => b.replaceAll('*', 'c')), (pattern, branch) => {
        expect(branchMatches(pattern, branch)).toBe(reference(pattern, branch));
      }),
      { numRuns: 5000 },
    );
  });

  it('matches a pathological pattern and branch in one pass, where a backtracking regex would not finish', () => {
    // `^a.*a.*a…b$` against 100 000 `a`s needs on the order of n^8 steps to fail; one scan needs n per part.
    const pattern = '*a*a*a*a*a*a*a*a*b';
    const branch = 'a'.repeat(100_000);
    const started = performance.now();
    for (let i = 0; i < 10; i += 1) expect(branchMatches(pattern, branch)).toBe(false);
    expect(branchMatches(pattern, `${branch}b`)).toBe(true);
    // A generous bound, far from the hours the regex takes: this guards against a return to backtracking.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('takes the first route that matches', () => {
    const routes = [{ match: 'dev/feature-x', deploy: 'qa' }, { match: 'dev/*', deploy: 'ephemeral' }];
    expect(routeFor(routes, 'dev/feature-x')?.deploy).toBe('qa');
    expect(routeFor(routes, 'dev/feature-y')?.deploy).toBe('ephemeral');
    expect(routeFor(routes, 'main')).toBeUndefined();
  });
});

describe('names', () => {
  it('names an ephemeral environment by the first 8 hex of sha256(branch)', () => {
    // sha256("dev/feature-login") = 056b737a…, computed with `printf %s dev/feature-login | sha256sum`
    expect(ephemeralEnvName('discounts', 'dev/feature-login')).toBe('discounts-056b737a');
  });

  it.each([
    ['main', 'abcdef1234567890', 'main-abcdef1'],
    ['dev/Feature_X', 'abcdef1234567890', 'dev-feature_x-abcdef1'],
    ['../../etc', '1234567', 'etc-1234567'],
    ['-', '1234567', 'branch-1234567'],
  ])('tags %s @ %s as %s', (branch, sha, tag) => {
    expect(imageTag(branch, sha)).toBe(tag);
  });

  it('keeps tags within Docker’s 128 characters', () => {
    expect(imageTag('x'.repeat(300), 'a'.repeat(40)).length).toBeLessThanOrEqual(128);
    expect(branchSlug('a/'.repeat(200))).toMatch(/^[a-z0-9_.-]+$/);
  });

  it('names containers per service and environment', () => {
    expect(containerName('discounts', 'staging')).toBe('discounts-staging');
    expect(containerName('discounts', 'discounts-056b737a')).toBe('discounts-056b737a');
  });
});

describe('name limits', () => {
  it.each([
    ['branch', NAME_LIMITS.branch],
    ['service', NAME_LIMITS.service],
    ['environment', NAME_LIMITS.environment],
  ] as const)('takes a %s name of %i characters and refuses one longer, saying the limit', (kind, limit) => {
    expect(nameTooLong(kind, 'x'.repeat(limit))).toBeUndefined();
    expect(nameTooLong(kind, 'x'.repeat(limit + 1))).toBe(`That ${kind} name is ${limit + 1} characters long; slipway takes ${kind} names of at most ${limit}.`);
  });

  it('caps branches at 255 and services and environments at 63', () => {
    expect(NAME_LIMITS).toEqual({ branch: 255, service: 63, environment: 63 });
  });
});
