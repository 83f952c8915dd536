import { CommitParser } from 'conventional-commits-parser';
import semver from 'semver';
import type { Releases, ServiceConfig } from '../config-schema.js';

/** A commit as the release notes need it: from `git log` between two releases. */
export type ReleaseCommit = { sha: string; message: string; author: { name: string; email?: string } };

export type CommitKind = 'breaking' | 'feature' | 'fix' | 'other';
export type Bump = 'major' | 'minor' | 'patch';

/** The first semver version a service gets: 0.1.0 (a breaking change later makes 1.0.0). */
export const FIRST_SEMVER = '0.1.0';

// `type(scope)!: subject` as the Conventional Commits spec writes it; `!` marks a breaking change.
const parser = new CommitParser({
  headerPattern: /^(\w*)(?:\(([^)]*)\))?!?: (.*)$/,
  breakingHeaderPattern: /^(\w*)(?:\(([^)]*)\))?!: (.*)$/,
  headerCorrespondence: ['type', 'scope', 'subject'],
  noteKeywords: ['BREAKING CHANGE', 'BREAKING-CHANGE'],
});

export type ParsedCommit = ReleaseCommit & { kind: CommitKind; subject: string; scope?: string };

/** What a commit is to a release: breaking (`!` or a BREAKING CHANGE footer), a feature, a fix, or other. */
export function parseCommit(commit: ReleaseCommit): ParsedCommit {
  const parsed = parser.parse(commit.message);
  const header = commit.message.split('\n')[0]?.trim() ?? '';
  const type = parsed.type?.toLowerCase();
  const breaking = parsed.notes.some((n) => /^BREAKING[ -]CHANGE$/i.test(n.title));
  const kind: CommitKind = breaking ? 'breaking' : type === 'feat' ? 'feature' : type === 'fix' ? 'fix' : 'other';
  const subject = type && parsed.subject ? parsed.subject : header;
  return { ...commit, kind, subject, ...(parsed.scope ? { scope: parsed.scope } : {}) };
}

/** The bump the commits ask for: major for a breaking change, minor for a feature, else patch. */
export function bumpOf(commits: readonly ParsedCommit[]): Bump {
  if (commits.some((c) => c.kind === 'breaking')) return 'major';
  if (commits.some((c) => c.kind === 'feature')) return 'minor';
  return 'patch';
}

/** The next semver version after `last` (undefined: the first release, 0.1.0). */
export function nextSemver(last: string | undefined, commits: readonly ParsedCommit[]): string {
  const current = last === undefined ? null : semver.valid(last);
  if (current === null) return FIRST_SEMVER;
  const next = semver.inc(current, bumpOf(commits));
  if (!next) throw new Error(`cannot bump version ${last}`);
  return next;
}

/**
 * The next calendar version on `day` (UTC): `YYYY.MM.DD.N`, N counting that day's releases from 0. `last`
 * is the service's last version; one from an earlier day starts the count again.
 */
export function nextCalver(last: string | undefined, day: Date): string {
  const date = `${day.getUTCFullYear()}.${String(day.getUTCMonth() + 1).padStart(2, '0')}.${String(day.getUTCDate()).padStart(2, '0')}`;
  const match = last ? /^(\d{4}\.\d{2}\.\d{2})\.(\d+)$/.exec(last) : null;
  const n = match && match[1] === date ? Number(match[2]) + 1 : 0;
  return `${date}.${n}`;
}

/** The next version of a service, by its `releases.versioning`. */
export function nextVersion(releases: Releases, last: string | undefined, commits: readonly ParsedCommit[], now: Date): string {
  return releases.versioning === 'semver' ? nextSemver(last, commits) : nextCalver(last, now);
}

/** The environment whose successful promotion makes a version: `releases.environment`, else the last one. */
export function releaseEnvironment(service: Pick<ServiceConfig, 'releases' | 'environments'>): string | undefined {
  if (!service.releases) return undefined;
  return service.releases.environment ?? service.environments.at(-1)?.name;
}

/** The tag of a version in git and the registry: the prefix and the version (`v1.4.0`). */
export function versionTag(releases: Pick<Releases, 'tagPrefix'>, version: string): string {
  return `${releases.tagPrefix}${version}`;
}
