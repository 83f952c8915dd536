import { z } from 'zod';
import { changedFiles, listsEveryCommit } from '../../core/changed-files.js';
import { ZERO_SHA } from '../../core/push-event.js';
import { defineGitHost, header } from './git-host-webhook.js';
import { hexHmacMatches } from './hmac.js';
import { authorOf, commit, ref, sha, toCommits } from './payload-parts.js';
import { pullRequestClosedEvent } from './pull-request-closed.js';

const repository = z.object({
  full_name: z.string(),
  clone_url: z.string(),
  html_url: z.string(),
  ssh_url: z.string().optional(),
  git_url: z.string().optional(),
});

const GithubPush = z.object({
  ref,
  before: sha,
  after: sha,
  deleted: z.boolean().optional(),
  forced: z.boolean().optional(),
  repository,
  pusher: z.object({ name: z.string(), email: z.string().nullish() }),
  head_commit: commit.nullish(),
  commits: z.array(commit),
});

/** `issue_comment`: GitHub sends it for comments on issues and pull requests alike (a pull request's issue has `pull_request`). */
const GithubIssueComment = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int().positive(), pull_request: z.object({}).nullish() }),
  comment: z.object({ id: z.number().int().nonnegative(), body: z.string().nullish(), user: z.object({ login: z.string() }) }),
  repository,
});

const repoOf = (repo: z.infer<typeof repository>) => ({
  fullName: repo.full_name,
  urls: [repo.clone_url, repo.html_url, repo.ssh_url, repo.git_url].filter((u): u is string => !!u),
});

export const githubWebhook = defineGitHost({
  host: 'github',
  signatureShape: /^sha256=[0-9a-f]{64}$/i,
  signatureLooksLike: '"sha256=" and 64 hex digits',
  // Our own check, not @octokit/webhooks' verify: that one takes the body as a string and hashes its UTF-8.
  verify: (body, signature, secret) => hexHmacMatches(body, signature.slice('sha256='.length), secret),
  eventHeader: 'x-github-event',
  pushEvent: 'push',
  deliveryId: ({ headers }) => header(headers, 'x-github-delivery'),
  payload: GithubPush,
  normalize(push, deliveryId) {
    const pusher = { name: push.pusher.name, email: push.pusher.email ?? undefined, username: push.pusher.name };
    const commits = push.head_commit && !push.commits.some((c) => c.id === push.head_commit?.id)
      ? [...push.commits, push.head_commit]
      : push.commits;
    return {
      host: 'github',
      deliveryId,
      repo: repoOf(push.repository),
      ref: push.ref,
      before: push.before,
      after: push.after,
      deleted: push.deleted ?? push.after === ZERO_SHA,
      commits: toCommits(push.commits),
      author: authorOf(commits, push.after, pusher),
      // GitHub lists at most 20 commits in a push (and 3,000 files): a list that long may have been cut.
      changedFiles: changedFiles(push.commits, listsEveryCommit({ before: push.before, listed: push.commits.length, cap: 20, forced: push.forced })),
      pusher,
    };
  },
  commentEvent: {
    name: 'issue_comment',
    payload: GithubIssueComment,
    normalize: (event, deliveryId) => ({
      host: 'github',
      deliveryId,
      action: event.action,
      repo: repoOf(event.repository),
      number: event.issue.number,
      isPullRequest: !!event.issue.pull_request,
      comment: { id: event.comment.id, body: event.comment.body ?? '', author: event.comment.user.login },
    }),
  },
  pullRequestEvent: pullRequestClosedEvent('github'),
});
