import picomatch from 'picomatch';
import { ZERO_SHA } from './push-event.js';

/**
 * Bounds on what path filtering reads. Patterns come from slipway.yml, files from a payload: past these, a
 * push is treated as touching everything (the service runs) rather than matched at length.
 */
export const PATH_LIMITS = {
  /** `paths:` entries per service, and characters per entry. */
  patterns: 100,
  patternLength: 256,
  /** Files per push (GitHub stops listing at 3,000) and characters per file path. */
  files: 3000,
  fileLength: 1024,
} as const;

/** A commit as git hosts list it in a push payload; a host that lists no files leaves all three out. */
export type ListedCommit = {
  added?: readonly string[] | null;
  modified?: readonly string[] | null;
  removed?: readonly string[] | null;
};

/**
 * Whether a push payload lists every commit that was pushed, from what the host says: the total it gives
 * (`total`), or else the most it would ever list (`cap`: a list that long may have been cut). A new branch is
 * compared with nothing and a forced push may have dropped commits, so neither says what changed.
 */
export function listsEveryCommit(push: { before: string; listed: number; total?: number | null; cap?: number; forced?: boolean | null }): boolean {
  if (push.before === ZERO_SHA || push.forced || push.listed === 0) return false;
  if (typeof push.total === 'number') return push.listed >= push.total;
  return push.cap === undefined || push.listed < push.cap;
}

/**
 * Every file a push added, modified or removed, or undefined when the payload cannot say them all: not every
 * commit is listed (`complete` false), a commit lists no files, or the lists are longer than slipway reads.
 */
export function changedFiles(commits: readonly ListedCommit[], complete: boolean): string[] | undefined {
  if (!complete) return undefined;
  const files = new Set<string>();
  for (const commit of commits) {
    if (!commit.added && !commit.modified && !commit.removed) return undefined;
    for (const file of [...(commit.added ?? []), ...(commit.modified ?? []), ...(commit.removed ?? [])]) {
      if (file.length > PATH_LIMITS.fileLength) return undefined;
      files.add(file);
      if (files.size > PATH_LIMITS.files) return undefined;
    }
  }
  return [...files];
}

/** Why `pattern` cannot be a `paths:` entry, or undefined when it can. */
export function pathPatternProblem(pattern: string): string | undefined {
  if (pattern.length > PATH_LIMITS.patternLength) return `is longer than ${PATH_LIMITS.patternLength} characters`;
  if (pattern.startsWith('/')) return 'starts with /: paths are relative to the repository root, like services/api/**';
  try {
    picomatch.makeRe(pattern, PICOMATCH_OPTIONS);
    return undefined;
  } catch (error) {
    return `is not a glob picomatch accepts (${(error as Error).message})`;
  }
}

/** `dot`: a change to `.github/…` or `.env.example` counts like any other file. */
const PICOMATCH_OPTIONS = { dot: true } as const;

/**
 * Whether a push touches a service's `paths:`. No `paths` means the whole repository; unknown files (the
 * payload did not list them all) may touch anything, so they do.
 */
export function touchesPaths(patterns: readonly string[] | undefined, files: readonly string[] | undefined): boolean {
  if (!patterns || files === undefined) return true;
  const matches = picomatch([...patterns], PICOMATCH_OPTIONS);
  return files.some((file) => matches(file));
}
