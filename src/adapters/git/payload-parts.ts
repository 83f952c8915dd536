import { z } from 'zod';
import { NAME_LIMITS } from '../../core/naming.js';

/** The schema pieces every host's push payload shares; only the fields slipway reads are declared. */
export const sha = z.string().regex(/^[0-9a-f]{40}$/, 'expected a 40-character hex sha');

/** `refs/heads/<branch>` and the like; a branch name longer than slipway takes refuses the whole payload. */
export const ref = z
  .string()
  .max('refs/heads/'.length + NAME_LIMITS.branch, `expected a ref of at most ${NAME_LIMITS.branch} characters after refs/heads/`);

export const commitAuthor = z.object({
  name: z.string(),
  email: z.string().optional(),
  username: z.string().optional(),
});

export const commit = z.object({
  id: sha,
  message: z.string(),
  url: z.string().optional(),
  author: commitAuthor,
  /** When the commit was made (ISO 8601 with an offset): lead time to production starts here. */
  timestamp: z.string().nullish(),
  /** The files the commit changed; hosts that list none leave them out (then path filters see everything). */
  added: z.array(z.string()).nullish(),
  modified: z.array(z.string()).nullish(),
  removed: z.array(z.string()).nullish(),
});

export type Commit = z.infer<typeof commit>;

export function toCommits(commits: readonly Commit[]) {
  return commits.map((c) => ({ sha: c.id, message: c.message, author: c.author, url: c.url, ...commitTime(c.timestamp) }));
}

/** The commit's time in UTC, when the payload gives a readable one. */
function commitTime(timestamp: string | null | undefined): { at?: string } {
  const ms = timestamp ? Date.parse(timestamp) : Number.NaN;
  return Number.isFinite(ms) ? { at: new Date(ms).toISOString() } : {};
}

/** The head commit's author; the pusher when the push carries no commit (a deletion, or a branch with nothing new). */
export function authorOf<P>(commits: readonly Commit[], after: string, pusher: P): Commit['author'] | P {
  return commits.find((c) => c.id === after)?.author ?? pusher;
}
