import { z } from 'zod';
import type { GitHost } from '../../core/push-event.js';
import { ZERO_SHA } from '../../core/push-event.js';
import { defineGitHost, header } from './git-host-webhook.js';
import { hexHmacMatches } from './hmac.js';
import { authorOf, commit, ref, sha, toCommits } from './payload-parts.js';

/** Gogs and Gitea send the same push payload; Gitea adds head_commit. Gogs users have no `name`. */
const GogsPush = z.object({
  ref,
  before: sha,
  after: sha,
  commits: z.array(commit).nullish(),
  head_commit: commit.nullish(),
  repository: z.object({
    full_name: z.string(),
    clone_url: z.string(),
    html_url: z.string(),
    ssh_url: z.string().optional(),
  }),
  pusher: z.object({
    username: z.string().optional(),
    login: z.string().optional(),
    full_name: z.string().optional(),
    email: z.string().optional(),
  }),
});

function gogsLike(host: Extract<GitHost, 'gogs' | 'gitea'>, prefix: string) {
  return defineGitHost({
    host,
    secretName: 'GOGS_WEBHOOK_SECRET',
    signatureHeader: `${prefix}-signature`,
    signatureShape: /^[0-9a-f]{64}$/i,
    signatureLooksLike: '64 hex digits',
    verify: hexHmacMatches,
    eventHeader: `${prefix}-event`,
    pushEvent: 'push',
    deliveryId: ({ headers }) => header(headers, `${prefix}-delivery`),
    payload: GogsPush,
    normalize(push, deliveryId) {
      const login = push.pusher.username || push.pusher.login || 'unknown';
      const pusher = { name: push.pusher.full_name || login, email: push.pusher.email, username: login };
      const commits = push.commits ?? [];
      const repo = push.repository;
      return {
        host,
        deliveryId,
        repo: { fullName: repo.full_name, urls: [repo.clone_url, repo.html_url, repo.ssh_url].filter((u): u is string => !!u) },
        ref: push.ref,
        before: push.before,
        after: push.after,
        deleted: push.after === ZERO_SHA,
        commits: toCommits(commits),
        author: authorOf(push.head_commit ? [push.head_commit, ...commits] : commits, push.after, pusher),
        pusher,
      };
    },
  });
}

export const gogsWebhook = gogsLike('gogs', 'x-gogs');
export const giteaWebhook = gogsLike('gitea', 'x-gitea');
