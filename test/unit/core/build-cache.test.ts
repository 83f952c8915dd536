import { describe, expect, it } from 'vitest';
import { cacheCandidates, cacheSources, cacheTag, type ImageOrigin } from '../../../src/core/build-cache.js';
import { imageTag } from '../../../src/core/naming.js';

const IMAGE = '127.0.0.1:5000/shop';
const feature = { image: IMAGE, tag: 'dev-feature-x-1a2b3c4' };
const main = { image: IMAGE, tag: 'main-9f8e7d6' };

describe('the cache tag of a build', () => {
  it.each([
    ['main-9f8e7d6', 'main-9f8e7d6-cache'],
    ['dev-feature-x-1a2b3c4', 'dev-feature-x-1a2b3c4-cache'],
  ])('of release %s is %s', (release, expected) => {
    expect(cacheTag(release)).toBe(expected);
  });

  it('is never the tag of a release, whatever the branch is called', () => {
    // A release tag ends in seven hex digits; a branch named like a cache tag still gets its sha after it.
    const sha = 'abcdef0123456789';
    expect(imageTag('main-9f8e7d6-cache', sha)).not.toBe(cacheTag(imageTag('main', '9f8e7d6')));
    expect(cacheTag(imageTag('main', sha))).not.toMatch(/-[0-9a-f]{7}$/);
  });

  it('fits in a Docker tag (128 characters) for the longest branch slug', () => {
    expect(cacheTag(imageTag('b'.repeat(255), 'abcdef0123')).length).toBeLessThanOrEqual(128);
  });
});

describe('the images a build takes its cache from', () => {
  it.each([
    {
      what: "the branch's previous build, else the default branch's, test image first",
      previous: { branch: feature, defaultBranch: main },
      testImage: true,
      expected: [
        [`${IMAGE}:dev-feature-x-1a2b3c4-cache`, `${IMAGE}:dev-feature-x-1a2b3c4`],
        [`${IMAGE}:main-9f8e7d6-cache`, `${IMAGE}:main-9f8e7d6`],
      ],
    },
    {
      what: 'the release alone for a service without a test target',
      previous: { branch: feature, defaultBranch: main },
      testImage: false,
      expected: [[`${IMAGE}:dev-feature-x-1a2b3c4`], [`${IMAGE}:main-9f8e7d6`]],
    },
    {
      what: "the default branch's for a branch's first build",
      previous: { defaultBranch: main },
      testImage: true,
      expected: [[`${IMAGE}:main-9f8e7d6-cache`, `${IMAGE}:main-9f8e7d6`]],
    },
    {
      what: 'one group when the branch is the default branch',
      previous: { branch: main },
      testImage: true,
      expected: [[`${IMAGE}:main-9f8e7d6-cache`, `${IMAGE}:main-9f8e7d6`]],
    },
    {
      what: 'one group when both name the same build',
      previous: { branch: main, defaultBranch: main },
      testImage: false,
      expected: [[`${IMAGE}:main-9f8e7d6`]],
    },
    {
      what: 'nothing for the first build of the service',
      previous: {},
      testImage: true,
      expected: [],
    },
    {
      what: 'the image the previous build was pushed as, even when the service has moved since',
      previous: { branch: { image: '127.0.0.1:5000/old-shop', tag: 'main-1111111' } },
      testImage: false,
      expected: [['127.0.0.1:5000/old-shop:main-1111111']],
    },
  ])('$what', ({ previous, testImage, expected }) => {
    expect(cacheCandidates(previous, { testImage })).toEqual(expected);
  });
});

describe("the build's cache sources, by where the engine has the images from", () => {
  const group = (test: ImageOrigin, release: ImageOrigin) => [
    { ref: `${IMAGE}:main-9f8e7d6-cache`, origin: test },
    { ref: `${IMAGE}:main-9f8e7d6`, origin: release },
  ];
  const OWN = ['slipway-test/shop:run-2'];

  it.each([
    { what: 'both pulled: both, after this run’s own images', group: group('pulled', 'pulled'), expected: [...OWN, `${IMAGE}:main-9f8e7d6-cache`, `${IMAGE}:main-9f8e7d6`] },
    { what: 'the test image not in the registry: the release', group: group('absent', 'pulled'), expected: [...OWN, `${IMAGE}:main-9f8e7d6`] },
    { what: 'one built here, one pulled: both', group: group('built', 'pulled'), expected: [...OWN, `${IMAGE}:main-9f8e7d6-cache`, `${IMAGE}:main-9f8e7d6`] },
    { what: "all built on this engine: none (the engine's own cache has them)", group: group('built', 'built'), expected: undefined },
    { what: "none there (a first build): none, which keeps the engine's own cache on", group: group('absent', 'absent'), expected: undefined },
  ])('$what', ({ group: images, expected }) => {
    expect(cacheSources(images, OWN)).toEqual(expected);
  });

  it('takes no own images when the run has none yet', () => {
    expect(cacheSources(group('pulled', 'absent'))).toEqual([`${IMAGE}:main-9f8e7d6-cache`]);
  });
});
