import { describe, expect, it } from 'vitest';
import { groupCommits, NOTES_LIMIT, releaseNotesMarkdown } from '../../../../src/core/releases/release-notes.js';
import { parseCommit } from '../../../../src/core/releases/versioning.js';

const sha = (n: number) => n.toString(16).padStart(40, '0');
const commits = [
  parseCommit({ sha: sha(5), message: 'chore: tidy *stars*', author: { name: 'Dan' } }),
  parseCommit({ sha: sha(4), message: 'fix(cart): round totals', author: { name: 'Bob' } }),
  parseCommit({ sha: sha(3), message: 'feat!: drop v1', author: { name: 'Ann' } }),
  parseCommit({ sha: sha(2), message: 'feat: coupons', author: { name: 'Ann' } }),
];

describe('release notes', () => {
  it('groups commits as Breaking, Features, Fixes, Other, leaving empty groups out', () => {
    expect(groupCommits(commits).map((g) => [g.title, g.commits.map((c) => c.sha)])).toEqual([
      ['Breaking changes', [sha(3)]],
      ['Features', [sha(2)]],
      ['Fixes', [sha(4)]],
      ['Other', [sha(5)]],
    ]);
    expect(groupCommits(commits.slice(1, 2)).map((g) => g.title)).toEqual(['Fixes']);
  });

  it('writes Markdown with each commit\'s author and link, escaping what the commit says', () => {
    const notes = releaseNotesMarkdown({ service: 'shop', version: '1.0.0', tag: 'v1.0.0', previousTag: 'v0.2.0', commits, commitUrl: (s) => `https://github.com/acme/shop/commit/${s}` });
    expect(notes).toContain('shop 1.0.0, changes since v0.2.0.');
    expect(notes).toContain('### Breaking changes\n\n- drop v1 ([`0000000`](https://github.com/acme/shop/commit/0000000000000000000000000000000000000003), Ann)');
    expect(notes).toContain('- **cart:** round totals');
    expect(notes).toContain('tidy \\*stars\\*');
    expect(notes.indexOf('### Features')).toBeLessThan(notes.indexOf('### Fixes'));
  });

  it('says so for a first release, and for one with no new commits; without links, short shas', () => {
    expect(releaseNotesMarkdown({ service: 'shop', version: '0.1.0', tag: 'v0.1.0', commits: commits.slice(0, 1) })).toContain('the first release');
    expect(releaseNotesMarkdown({ service: 'shop', version: '0.1.0', tag: 'v0.1.0', commits: commits.slice(0, 1) })).toContain('(`0000000`, Dan)');
    expect(releaseNotesMarkdown({ service: 'shop', version: '0.1.1', tag: 'v0.1.1', previousTag: 'v0.1.0', commits: [] })).toContain('No new commits');
  });

  it('stays under the host\'s limit, saying that it was cut', () => {
    const many = Array.from({ length: 2000 }, (_, i) => parseCommit({ sha: sha(i), message: `fix: ${'x'.repeat(60)} ${i}`, author: { name: 'Ann' } }));
    const notes = releaseNotesMarkdown({ service: 'shop', version: '2.0.0', tag: 'v2.0.0', commits: many });
    expect(notes.length).toBeLessThanOrEqual(NOTES_LIMIT);
    expect(notes).toContain('2000 commits in all; the rest are cut');
  });
});
