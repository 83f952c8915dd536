import { z } from 'zod';
import { GIT_HOSTS } from './git-hosts.js';
import type { Run } from './run.js';

/**
 * A comment on an issue or a pull request, as GitHub's and Gitea's `issue_comment` webhooks are normalized.
 * Only what slipway reads; the pull request itself (its head, its state) is read from the host's API, since
 * GitHub's payload does not carry the head and a payload's word on the state may be old.
 */
export const PullRequestComment = z.object({
  host: z.enum(GIT_HOSTS),
  deliveryId: z.string().min(1),
  /** `created`, `edited`, `deleted`: only a created comment starts anything. */
  action: z.string(),
  repo: z.object({ fullName: z.string(), urls: z.array(z.string()) }),
  number: z.number().int().positive(),
  /** False for a comment on a plain issue. */
  isPullRequest: z.boolean(),
  comment: z.object({ id: z.number().int().nonnegative(), body: z.string(), author: z.string() }),
});
export type PullRequestComment = z.infer<typeof PullRequestComment>;

/**
 * A pull request closed (merged or not), from GitHub's and Gitea's `pull_request` webhooks: the ephemeral
 * environment a `/deploy` comment made for it, where no branch deletion would remove it, is torn down.
 */
export const PullRequestClosed = z.object({
  host: z.enum(GIT_HOSTS),
  deliveryId: z.string().min(1),
  closed: z.literal(true),
  repo: z.object({ fullName: z.string(), urls: z.array(z.string()) }),
  number: z.number().int().positive(),
  by: z.string(),
});
export type PullRequestClosed = z.infer<typeof PullRequestClosed>;

/** What the hosts' pull request webhooks slipway takes are normalized to. */
export type PullRequestHook = PullRequestComment | PullRequestClosed;

/** A pull request as the host's API answers it, normalized (adapters/git/pull-requests.ts). */
export type PullRequest = {
  number: number;
  open: boolean;
  title: string;
  author: string;
  url?: string;
  head: { sha: string; ref: string; /** undefined when the fork was deleted */ repoFullName?: string };
  base: { repoFullName: string };
};

/** What slipway records on a run started from a pull request comment. */
export type PullRequestOrigin = NonNullable<Run['pullRequest']>;

/**
 * The words after `/deploy` when the comment's first line is that command (`/deploy`, `/deploy staging`,
 * `/deploy staging discounts`); undefined when the comment is no deploy command at all (most comments).
 */
export function deployCommandWords(body: string): string[] | undefined {
  const first = body.replace(/^\s+/, '').split(/\r?\n/, 1)[0] ?? '';
  const match = /^\/deploy(?:\s+(.*))?$/.exec(first.trim());
  if (!match) return undefined;
  return (match[1] ?? '').split(/\s+/).filter((w) => w !== '');
}
