import { createHash } from 'node:crypto';
import { z } from 'zod';
import { changedFiles, listsEveryCommit } from '../../core/changed-files.js';
import { ZERO_SHA } from '../../core/push-event.js';
import { defineGitHost, header } from './git-host-webhook.js';
import { tokenMatches } from './hmac.js';
import { authorOf, commit, ref, sha, toCommits } from './payload-parts.js';

const GitlabPush = z.object({
  object_kind: z.literal('push'),
  ref,
  before: sha,
  after: sha,
  user_name: z.string(),
  user_username: z.string().optional(),
  user_email: z.string().nullish(),
  project: z.object({
    path_with_namespace: z.string(),
    git_http_url: z.string(),
    git_ssh_url: z.string().optional(),
    web_url: z.string().optional(),
  }),
  commits: z.array(commit),
  /** How many commits the push holds; `commits` lists at most 20 of them. */
  total_commits_count: z.number().int().nonnegative().optional(),
});

export const gitlabWebhook = defineGitHost({
  host: 'gitlab',
  // GitLab does not sign: it sends the shared secret itself (its "signature header" is the token).
  // Any non-empty token up to a length no real secret needs; which one is right is decided by comparing.
  signatureShape: /^.{1,1024}$/s,
  signatureLooksLike: 'the secret token, at most 1024 characters',
  verify: (_body, token, secret) => tokenMatches(token, secret),
  eventHeader: 'x-gitlab-event',
  pushEvent: 'Push Hook',
  // Older GitLab sends no delivery id; the body (which holds before and after) then identifies the push.
  deliveryId: ({ headers, body }) =>
    header(headers, 'x-gitlab-event-uuid') ??
    header(headers, 'idempotency-key') ??
    `body-${createHash('sha256').update(body).digest('hex').slice(0, 32)}`,
  payload: GitlabPush,
  normalize(push, deliveryId) {
    const pusher = { name: push.user_name, email: push.user_email ?? undefined, username: push.user_username };
    const project = push.project;
    return {
      host: 'gitlab',
      deliveryId,
      repo: {
        fullName: project.path_with_namespace,
        urls: [project.git_http_url, project.git_ssh_url, project.web_url].filter((u): u is string => !!u),
      },
      ref: push.ref,
      before: push.before,
      after: push.after,
      deleted: push.after === ZERO_SHA,
      commits: toCommits(push.commits),
      author: authorOf(push.commits, push.after, pusher),
      changedFiles: changedFiles(push.commits, listsEveryCommit({ before: push.before, listed: push.commits.length, total: push.total_commits_count, cap: 20 })),
      pusher,
    };
  },
});
