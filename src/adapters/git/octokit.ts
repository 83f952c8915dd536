import type { Octokit } from '@octokit/rest';

/**
 * A GitHub API client made on first use: @octokit/rest is loaded only by a slipway that reports to GitHub
 * (it is memory every process would carry otherwise).
 */
export function octokitFor({ token, apiUrl }: { token: string; apiUrl: string }): () => Promise<Octokit> {
  let made: Promise<Octokit> | undefined;
  return () => (made ??= import('@octokit/rest').then(({ Octokit: Client }) => new Client({ auth: token, baseUrl: apiUrl, request: { retries: 2 } })));
}
