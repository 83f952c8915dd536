import { describe, expect, it } from 'vitest';
import { changedFiles, listsEveryCommit, PATH_LIMITS, pathPatternProblem, touchesPaths } from '../../../src/core/changed-files.js';
import { ZERO_SHA } from '../../../src/core/push-event.js';

const BEFORE = 'a'.repeat(40);

describe('listsEveryCommit', () => {
  it.each([
    ['a total the list reaches', { before: BEFORE, listed: 3, total: 3 }, true],
    ['a total beyond the list (GitLab lists 20)', { before: BEFORE, listed: 20, total: 45 }, false],
    ['no total, under the cap', { before: BEFORE, listed: 4, cap: 5 }, true],
    ['no total, at the cap (the list may be cut)', { before: BEFORE, listed: 5, cap: 5 }, false],
    ['a new branch (compared with nothing)', { before: ZERO_SHA, listed: 1, total: 1 }, false],
    ['a forced push', { before: BEFORE, listed: 1, cap: 20, forced: true }, false],
    ['no commit listed', { before: BEFORE, listed: 0, total: 0 }, false],
  ])('%s → %s', (_name, push, expected) => {
    expect(listsEveryCommit(push)).toBe(expected);
  });
});

describe('changedFiles', () => {
  it('joins added, modified and removed of every commit, once each', () => {
    const commits = [
      { added: ['a.ts'], modified: ['b.ts'], removed: [] },
      { added: [], modified: ['b.ts'], removed: ['c.ts'] },
    ];
    expect(changedFiles(commits, true)?.sort()).toEqual(['a.ts', 'b.ts', 'c.ts']);
  });

  it('knows nothing when the payload is not complete, a commit lists no files, or the lists are too long', () => {
    expect(changedFiles([{ added: ['a'] }], false)).toBeUndefined();
    expect(changedFiles([{ added: ['a'] }, {}], true)).toBeUndefined();
    const many = Array.from({ length: PATH_LIMITS.files + 1 }, (_, i) => `f${i}`);
    expect(changedFiles([{ added: many }], true)).toBeUndefined();
    expect(changedFiles([{ modified: ['x'.repeat(PATH_LIMITS.fileLength + 1)] }], true)).toBeUndefined();
  });
});

describe('touchesPaths', () => {
  it.each([
    [undefined, ['anything'], true],
    [['services/api/**'], undefined, true],
    [['services/api/**'], ['services/api/deep/file.ts'], true],
    [['services/api/**'], ['services/apiary/file.ts'], false],
    [['*.md'], ['README.md'], true],
    [['*.md'], ['docs/a.md'], false],
    [['services/api/**'], [], false],
    [['services/*/Dockerfile'], ['services/web/Dockerfile'], true],
  ])('%j with %j → %s', (patterns, files, expected) => {
    expect(touchesPaths(patterns, files)).toBe(expected);
  });
});

describe('pathPatternProblem', () => {
  it('takes globs relative to the root, short enough', () => {
    expect(pathPatternProblem('services/api/**')).toBeUndefined();
    expect(pathPatternProblem('/services/api/**')).toMatch(/relative to the repository root/);
    expect(pathPatternProblem(`${'a/'.repeat(200)}**`)).toMatch(/longer than 256/);
  });
});
