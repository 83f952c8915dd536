import type { CommitKind, ParsedCommit } from './versioning.js';

/** The groups of the notes, in the order they are shown. */
export const NOTE_GROUPS: readonly { kind: CommitKind; title: string }[] = [
  { kind: 'breaking', title: 'Breaking changes' },
  { kind: 'feature', title: 'Features' },
  { kind: 'fix', title: 'Fixes' },
  { kind: 'other', title: 'Other' },
];

/** A host's release body is capped (GitHub: 125,000 characters): the notes stay well under it. */
export const NOTES_LIMIT = 60_000;

export type NotesInput = {
  service: string;
  version: string;
  tag: string;
  /** The tag of the release before this one; undefined for the first. */
  previousTag?: string;
  commits: readonly ParsedCommit[];
  /** Where a commit is seen on the host; undefined: no links. */
  commitUrl?(sha: string): string | undefined;
};

/** The commits of each group, in the order given (newest first), leaving out empty groups. */
export function groupCommits(commits: readonly ParsedCommit[]): { title: string; commits: ParsedCommit[] }[] {
  return NOTE_GROUPS.map(({ kind, title }) => ({ title, commits: commits.filter((c) => c.kind === kind) })).filter((g) => g.commits.length > 0);
}

const markdownText = (text: string) => text.replace(/([\\`*_[\]<>])/g, '\\$1');

/** The full notes, in Markdown, for the host's release: every commit since the last release, by group, with author and link. */
export function releaseNotesMarkdown({ service, version, previousTag, commits, commitUrl }: NotesInput): string {
  const lines = [`${service} ${version}${previousTag ? `, changes since ${previousTag}` : ', the first release'}.`, ''];
  if (commits.length === 0) lines.push('No new commits since the last release.');
  for (const group of groupCommits(commits)) {
    lines.push(`### ${group.title}`, '');
    for (const c of group.commits) {
      const short = c.sha.slice(0, 7);
      const url = commitUrl?.(c.sha);
      const link = url ? `[\`${short}\`](${url})` : `\`${short}\``;
      const scope = c.scope ? `**${markdownText(c.scope)}:** ` : '';
      lines.push(`- ${scope}${markdownText(c.subject)} (${link}, ${markdownText(c.author.name)})`);
    }
    lines.push('');
  }
  const text = lines.join('\n').trimEnd();
  if (text.length <= NOTES_LIMIT) return text;
  return `${text.slice(0, NOTES_LIMIT - 60).replace(/\n[^\n]*$/, '')}\n\n… (${commits.length} commits in all; the rest are cut)`;
}
