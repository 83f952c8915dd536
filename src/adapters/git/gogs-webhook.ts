import { z } from 'zod';
import type { GitHost } from '../../core/push-event.js';
import { ZERO_SHA } from '../../core/push-event.js';
import { changedFiles, listsEveryCommit } from '../../core/changed-files.js';
import { defineGitHost, header } from './git-host-webhook.js';
import { hexHmacMatches } from './hmac.js';
import { authorOf, commit, ref, sha, toCommits } from './payload-parts.js';
import { pullRequestClosedEvent } from './pull-request-closed.js';

/** Gogs users have no `name`. */
const user = z.object({
  username: z.string().optional(),
  login: z.string().optional(),
  full_name: z.string().optional(),
  email: z.string().optional(),
});

const repository = z.object({
  full_name: z.string(),
  clone_url: z.string(),
  html_url: z.string(),
  ssh_url: z.string().optional(),
});

/** Gogs and Gitea send the same push payload; Gitea adds head_commit. */
const GogsPush = z.object({
  ref,
  before: sha,
  after: sha,
  commits: z.array(commit).nullish(),
  /** Gitea only: how many commits the push holds, of which `commits` may list a few. */
  total_commits: z.number().int().nonnegative().optional(),
  head_commit: commit.nullish(),
  repository,
  pusher: user,
});

/**
 * What Gogs and Gitea send when a branch or tag is deleted: no shas, no commits, and `ref` as the short name
 * (`feature-x`, not `refs/heads/feature-x`). They send no push for a deletion.
 */
const GogsDelete = z.object({
  // The short name made a full ref, then held to the same limit as a push's.
  ref: z.string().transform((name) => (name.startsWith('refs/') ? name : `refs/heads/${name}`)).pipe(ref),
  ref_type: z.string(),
  pusher_type: z.string().optional(),
  repository,
  sender: user,
});

/**
 * Gitea's `issue_comment` (sent for issues and pull requests alike; `is_pull` and `issue.pull_request` say which).
 * Gogs sends one too, but has no pull request API slipway could read the head from: only Gitea's is used.
 */
const GiteaIssueComment = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int().positive(), pull_request: z.object({}).nullish() }),
  comment: z.object({ id: z.number().int().nonnegative(), body: z.string().nullish(), user }),
  repository,
  is_pull: z.boolean().optional(),
});

const giteaComment = {
  name: 'issue_comment',
  payload: GiteaIssueComment,
  normalize: (event: z.infer<typeof GiteaIssueComment>, deliveryId: string) => ({
    host: 'gitea' as const,
    deliveryId,
    action: event.action,
    repo: repoOf(event.repository),
    number: event.issue.number,
    isPullRequest: event.is_pull ?? !!event.issue.pull_request,
    comment: { id: event.comment.id, body: event.comment.body ?? '', author: personOf(event.comment.user).username },
  }),
};

function gogsLike(host: Extract<GitHost, 'gogs' | 'gitea'>, prefix: string) {
  return defineGitHost({
    host,
    signatureShape: /^[0-9a-f]{64}$/i,
    signatureLooksLike: '64 hex digits',
    verify: hexHmacMatches,
    eventHeader: `${prefix}-event`,
    pushEvent: 'push',
    deliveryId: ({ headers }) => header(headers, `${prefix}-delivery`),
    payload: GogsPush,
    normalize(push, deliveryId) {
      const pusher = personOf(push.pusher);
      const commits = push.commits ?? [];
      return {
        host,
        deliveryId,
        repo: repoOf(push.repository),
        ref: push.ref,
        before: push.before,
        after: push.after,
        deleted: push.after === ZERO_SHA,
        commits: toCommits(commits),
        author: authorOf(push.head_commit ? [push.head_commit, ...commits] : commits, push.after, pusher),
        // Both list at most FEED_MAX_COMMIT_NUM (5 by default) commits; only Gitea says how many there were.
        changedFiles: changedFiles(commits, listsEveryCommit({ before: push.before, listed: commits.length, total: push.total_commits, cap: 5 })),
        pusher,
      };
    },
    deleteEvent: {
      name: 'delete',
      payload: GogsDelete,
      normalize(deletion, deliveryId) {
        if (deletion.ref_type !== 'branch') return { ignored: `${deletion.ref_type} deletions are not used; only a deleted branch tears down its environment` };
        const sender = personOf(deletion.sender);
        // The payload names no commit: the deletion is a push from and to nothing, as GitHub and GitLab send it.
        return {
          host,
          deliveryId,
          repo: repoOf(deletion.repository),
          ref: deletion.ref,
          before: ZERO_SHA,
          after: ZERO_SHA,
          deleted: true,
          commits: [],
          author: sender,
          pusher: sender,
        };
      },
    },
    ...(host === 'gitea' ? { commentEvent: giteaComment, pullRequestEvent: pullRequestClosedEvent('gitea') } : {}),
  });
}

function personOf(who: z.infer<typeof user>) {
  const login = who.username || who.login || 'unknown';
  return { name: who.full_name || login, email: who.email, username: login };
}

function repoOf(repo: z.infer<typeof repository>) {
  return { fullName: repo.full_name, urls: [repo.clone_url, repo.html_url, repo.ssh_url].filter((u): u is string => !!u) };
}

export const gogsWebhook = gogsLike('gogs', 'x-gogs');
export const giteaWebhook = gogsLike('gitea', 'x-gitea');
