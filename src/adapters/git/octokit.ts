import type { Octokit } from '@octokit/rest';

/**
 * A GitHub API client made on first use: @octokit/rest is loaded only by a slipway that reports to GitHub
 * (it is memory every process would carry otherwise).
 */
export function octokitFor({ token, apiUrl }: { token: string; apiUrl: string }): () => Promise<Octokit> {
  let made: Promise<Octokit> | undefined;
  // Octokit logs every non-2xx answer to the console; callers act on them (a 422 "already exists" is a retry's
  // success) and log what matters themselves.
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  return () => (made ??= import('@octokit/rest').then(({ Octokit: Client }) => new Client({ auth: token, baseUrl: apiUrl, request: { retries: 2 }, log })));
}
