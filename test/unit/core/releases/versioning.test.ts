import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/config.js';
import { bumpOf, nextCalver, nextSemver, nextVersion, parseCommit, releaseEnvironment, versionTag } from '../../../../src/core/releases/versioning.js';

const commit = (message: string, sha = 'a'.repeat(40)) => parseCommit({ sha, message, author: { name: 'Ann' } });

describe('conventional commits', () => {
  it.each([
    ['feat: add coupons', 'feature', 'add coupons', undefined],
    ['feat(api): add coupons', 'feature', 'add coupons', 'api'],
    ['fix: round totals', 'fix', 'round totals', undefined],
    ['Fix: round totals', 'fix', 'round totals', undefined],
    ['feat!: drop the v1 API', 'breaking', 'drop the v1 API', undefined],
    ['refactor(cart)!: rename totals', 'breaking', 'rename totals', 'cart'],
    ['fix: x\n\nBREAKING CHANGE: the field is gone', 'breaking', 'x', undefined],
    ['chore: bump deps', 'other', 'bump deps', undefined],
    ['Version r1', 'other', 'Version r1', undefined],
    ['Merge branch main into dev', 'other', 'Merge branch main into dev', undefined],
  ])('%j is %s', (message, kind, subject, scope) => {
    const parsed = commit(message);
    expect(parsed.kind).toBe(kind);
    expect(parsed.subject).toBe(subject);
    expect(parsed.scope).toBe(scope);
  });
});

describe('semver', () => {
  it.each([
    [[], 'patch'],
    [['chore: x', 'docs: y'], 'patch'],
    [['fix: x', 'chore: y'], 'patch'],
    [['fix: x', 'feat: y'], 'minor'],
    [['feat: y', 'fix!: z'], 'major'],
  ] as const)('%j asks for a %s bump', (messages, bump) => {
    expect(bumpOf(messages.map((m) => commit(m)))).toBe(bump);
  });

  it.each([
    [undefined, ['feat!: z'], '0.1.0'],
    [undefined, [], '0.1.0'],
    ['0.1.0', ['fix: a'], '0.1.1'],
    ['0.1.1', ['feat: a', 'fix: b'], '0.2.0'],
    ['0.2.0', ['feat!: a'], '1.0.0'],
    ['1.4.2', ['chore: a'], '1.4.3'],
    ['not-a-version', ['feat: a'], '0.1.0'],
  ])('after %s, %j gives %s', (last, messages, next) => {
    expect(nextSemver(last, messages.map((m) => commit(m)))).toBe(next);
  });
});

describe('calver', () => {
  const day = new Date('2026-03-04T23:30:00Z');
  it.each([
    [undefined, '2026.03.04.0'],
    ['2026.03.03.4', '2026.03.04.0'],
    ['2026.03.04.0', '2026.03.04.1'],
    ['2026.03.04.9', '2026.03.04.10'],
    ['1.2.3', '2026.03.04.0'],
  ])('after %s comes %s', (last, next) => {
    expect(nextCalver(last, day)).toBe(next);
  });

  it('is chosen by the service', () => {
    expect(nextVersion({ versioning: 'calver', tagPrefix: '' }, '2026.03.04.0', [commit('feat: x')], day)).toBe('2026.03.04.1');
    expect(nextVersion({ versioning: 'semver', tagPrefix: 'v' }, '2.0.0', [commit('feat: x')], day)).toBe('2.1.0');
    expect(versionTag({ tagPrefix: 'v' }, '2.1.0')).toBe('v2.1.0');
    expect(versionTag({ tagPrefix: '' }, '2026.03.04.1')).toBe('2026.03.04.1');
  });
});

describe('releases in slipway.yml', () => {
  const yaml = (releases: string) => `
services:
  shop:
    repo: acme/shop
    image: 127.0.0.1:5000/shop
    channel: '#shop'
    environments:
      - { name: staging, port: 9001 }
      - { name: production, port: 9002 }
${releases}`;

  it('is off unless configured; on, versions the last environment with the v prefix by default', () => {
    const off = parseConfig(yaml('')).services.shop!;
    expect(releaseEnvironment(off)).toBeUndefined();
    const on = parseConfig(yaml('    releases: { versioning: semver }')).services.shop!;
    expect(on.releases).toEqual({ versioning: 'semver', tagPrefix: 'v' });
    expect(releaseEnvironment(on)).toBe('production');
    expect(releaseEnvironment(parseConfig(yaml('    releases: { versioning: calver, environment: staging }')).services.shop!)).toBe('staging');
  });

  it.each([
    ['    releases: { versioning: yearly }', 'expected semver or calver'],
    ['    releases: { versioning: semver, environment: qa }', 'expected one of the service\'s environments (staging, production)'],
    ['    releases: { versioning: semver, tagPrefix: "v 1" }', 'expected up to 20 letters'],
    ['    releases: { versioning: semver, prefix: v }', 'prefix'],
    ['    releases: { versioning: semver, tagPrefix: "-v" }', 'starting with a letter'],
    ['    releases: { versioning: semver, tagPrefix: "v..1" }', 'expected no ".."'],
  ])('%s is refused with "%s"', (releases, message) => {
    expect(() => parseConfig(yaml(releases))).toThrow(message);
  });
});
