import { z } from 'zod';
import type { GitHost } from '../../core/git-hosts.js';
import type { CommentEvent } from './git-host-webhook.js';

/** GitHub's and Gitea's `pull_request` payload, the fields slipway reads (both send these alike). */
const PullRequestPayload = z.object({
  action: z.string(),
  number: z.number().int().positive(),
  repository: z.object({ full_name: z.string(), clone_url: z.string(), html_url: z.string(), ssh_url: z.string().optional(), git_url: z.string().optional() }),
  sender: z.object({ login: z.string().optional(), username: z.string().optional() }),
});

/** `pull_request` events: a closed one (merged or not) is used, every other action is not. */
export function pullRequestClosedEvent(host: GitHost): CommentEvent<z.infer<typeof PullRequestPayload>> {
  return {
    name: 'pull_request',
    payload: PullRequestPayload,
    normalize(event, deliveryId) {
      if (event.action !== 'closed') return { ignored: `pull request ${event.action} events are not used; only a closed one (its environment goes)` };
      const repo = event.repository;
      return {
        host,
        deliveryId,
        closed: true,
        repo: { fullName: repo.full_name, urls: [repo.clone_url, repo.html_url, repo.ssh_url, repo.git_url].filter((u): u is string => !!u) },
        number: event.number,
        by: event.sender.username || event.sender.login || 'unknown',
      };
    },
  };
}
