import { describe, expect, it } from 'vitest';
import { branchSlug, containerName, ephemeralEnvName, imageTag } from '../../../src/core/naming.js';
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
