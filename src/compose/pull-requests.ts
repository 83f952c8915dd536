import { pullRequestApi } from '../adapters/git/pull-requests.js';
import type { Env } from '../core/env-schema.js';
import type { PullRequests } from '../core/ports.js';

/** The hosts' pull request APIs with slipway's tokens (GITHUB_TOKEN; GITEA_TOKEN with GITEA_API_URL). */
export function pullRequestsFor(env: Env): PullRequests {
  return pullRequestApi({
    github: env.GITHUB_TOKEN ? { token: env.GITHUB_TOKEN, apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com' } : undefined,
    gitea: env.GITEA_TOKEN && env.GITEA_API_URL ? { token: env.GITEA_TOKEN, apiUrl: env.GITEA_API_URL } : undefined,
  });
}
