import { z } from 'zod';
import type { GitHost } from '../../core/git-hosts.js';
import type { PullRequests } from '../../core/ports.js';
import type { PullRequest } from '../../core/pull-request-comment.js';
import { octokitFor } from './octokit.js';

export type PullRequestApiOptions = {
  github?: { token: string; apiUrl: string };
  /** `apiUrl` ends in /api/v1, as GITEA_API_URL does. */
  gitea?: { token: string; apiUrl: string };
};

/** GitHub's and Gitea's pull request, the fields slipway reads (the two APIs agree on these). */
const PullRequestReply = z.object({
  number: z.number().int().positive(),
  state: z.string(),
  title: z.string(),
  html_url: z.string().optional(),
  user: z.object({ login: z.string() }),
  head: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/, 'expected a 40-character hex sha'), ref: z.string(), repo: z.object({ full_name: z.string() }).nullish() }),
  base: z.object({ repo: z.object({ full_name: z.string() }) }),
});
const CommentReply = z.object({ id: z.number().int().nonnegative() });

/** A comment body fits both hosts' limits (GitHub's is 65,536 characters). */
const MAX_BODY = 60_000;
const fit = (body: string) => (body.length <= MAX_BODY ? body : `${body.slice(0, MAX_BODY - 1)}…`);

function pullRequestOf(data: unknown, host: GitHost): PullRequest {
  const parsed = PullRequestReply.safeParse(data);
  if (!parsed.success) throw new Error(`${host} answered with something that is not a pull request: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
  const pull = parsed.data;
  return {
    number: pull.number,
    open: pull.state === 'open',
    title: pull.title,
    author: pull.user.login,
    url: pull.html_url,
    head: { sha: pull.head.sha, ref: pull.head.ref, repoFullName: pull.head.repo?.full_name },
    base: { repoFullName: pull.base.repo.full_name },
  };
}

function ownerAndName(fullName: string): { owner: string; repo: string } {
  const [owner, repo, extra] = fullName.split('/');
  if (!owner || !repo || extra !== undefined) throw new Error(`"${fullName.slice(0, 80)}" is not owner/name`);
  return { owner, repo };
}

/**
 * Pull requests and their comments through GitHub's REST API (@octokit/rest) and Gitea's (`/api/v1`), with the
 * token slipway has for each host (GITHUB_TOKEN, GITEA_TOKEN). Replies are checked with zod.
 */
export function pullRequestApi(options: PullRequestApiOptions): PullRequests {
  const github = options.github && octokitFor(options.github);
  const gitea = options.gitea;

  async function giteaCall(method: string, path: string, body?: unknown): Promise<unknown> {
    if (!gitea) throw new Error('slipway has no GITEA_TOKEN and GITEA_API_URL to reach Gitea');
    const res = await fetch(`${gitea.apiUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers: { authorization: `token ${gitea.token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`Gitea answered ${res.status} to ${method} ${path.split('?')[0]}`);
    return res.status === 204 ? undefined : res.json();
  }

  const unsupported = (host: GitHost) => new Error(`slipway reads pull requests on GitHub and Gitea, not on ${host}`);

  return {
    reaches: (host) => (host === 'github' ? !!github : host === 'gitea' ? !!gitea : false),
    async read(host, fullName, number) {
      const { owner, repo } = ownerAndName(fullName);
      if (host === 'github' && github) return pullRequestOf((await (await github()).rest.pulls.get({ owner, repo, pull_number: number })).data, host);
      if (host === 'gitea') return pullRequestOf(await giteaCall('GET', `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/pulls/${number}`), host);
      throw unsupported(host);
    },
    async comment(host, fullName, number, body) {
      const { owner, repo } = ownerAndName(fullName);
      if (host === 'github' && github) {
        return CommentReply.parse((await (await github()).rest.issues.createComment({ owner, repo, issue_number: number, body: fit(body) })).data).id;
      }
      if (host === 'gitea') return CommentReply.parse(await giteaCall('POST', `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/issues/${number}/comments`, { body: fit(body) })).id;
      throw unsupported(host);
    },
    async editComment(host, fullName, id, body) {
      const { owner, repo } = ownerAndName(fullName);
      if (host === 'github' && github) {
        await (await github()).rest.issues.updateComment({ owner, repo, comment_id: id, body: fit(body) });
        return;
      }
      if (host === 'gitea') {
        await giteaCall('PATCH', `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/issues/comments/${id}`, { body: fit(body) });
        return;
      }
      throw unsupported(host);
    },
  };
}
