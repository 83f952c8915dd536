import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { GitHost } from '../../src/core/push-event.js';

const require = createRequire(import.meta.url);
type Example = { name: string; examples: Record<string, unknown>[] };
const githubExamples = require('@octokit/webhooks-examples/api.github.com/index.json') as Example[];

/** GitHub's own example of a push creating a branch (examples[4] in @octokit/webhooks-examples). */
export function githubPushExample(): Record<string, any> {
  const push = githubExamples.find((e) => e.name === 'push')?.examples.find((e) => String(e.ref).startsWith('refs/heads/'));
  if (!push) throw new Error('no branch push in @octokit/webhooks-examples');
  return structuredClone(push);
}

export function githubPingExample(): Record<string, any> {
  return structuredClone(githubExamples.find((e) => e.name === 'ping')?.examples[0] ?? {});
}

function fixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url), 'utf8'));
}

export type PushOptions = { repoUrl: string; ref?: string; after?: string; deleted?: boolean };

const ZERO = '0'.repeat(40);

/** `owner/name` as a host names the repository at `url` (the last two parts of its path). */
const fullNameOf = (url: string) => url.replace(/\.git$/, '').split(/[/:]/).slice(-2).join('/');

/** A push payload in the host's own format, pointed at `repoUrl`. */
export function pushPayload(host: GitHost, { repoUrl, ref = 'refs/heads/main', after, deleted = false }: PushOptions): Record<string, any> {
  const sha = deleted ? ZERO : (after ?? 'bffeb74224043ba2feb48d137756c8a9331c449a');
  if (host === 'github') {
    const p = githubPushExample();
    Object.assign(p, { ref, after: sha, deleted, created: !deleted });
    Object.assign(p.repository, { full_name: fullNameOf(repoUrl), clone_url: repoUrl, html_url: repoUrl.replace(/\.git$/, ''), ssh_url: repoUrl, git_url: repoUrl });
    if (deleted) Object.assign(p, { head_commit: null, commits: [] });
    else {
      p.head_commit.id = sha;
      p.commits[0].id = sha;
    }
    return p;
  }
  if (host === 'gitlab') {
    const p = fixture('gitlab-push.json');
    Object.assign(p, { ref, after: sha, checkout_sha: deleted ? null : sha });
    Object.assign(p.project, { path_with_namespace: fullNameOf(repoUrl), git_http_url: repoUrl, git_ssh_url: repoUrl, web_url: repoUrl.replace(/\.git$/, '') });
    if (deleted) p.commits = [];
    else p.commits[0].id = sha;
    return p;
  }
  const repository = { full_name: fullNameOf(repoUrl), clone_url: repoUrl, html_url: repoUrl.replace(/\.git$/, ''), ssh_url: repoUrl };
  if (deleted) {
    // Gogs and Gitea send a deletion as a `delete` event naming the branch by its short name, with no shas.
    const p = fixture(host === 'gitea' ? 'gitea-delete.json' : 'gogs-delete.json');
    const tag = ref.startsWith('refs/tags/');
    Object.assign(p, { ref: ref.replace(/^refs\/(heads|tags)\//, ''), ref_type: tag ? 'tag' : 'branch' });
    Object.assign(p.repository, repository);
    return p;
  }
  const p = fixture(host === 'gitea' ? 'gitea-push.json' : 'gogs-push.json');
  Object.assign(p, { ref, after: sha });
  Object.assign(p.repository, repository);
  p.commits[0].id = sha;
  if (p.head_commit) p.head_commit.id = sha;
  return p;
}

/** --- Pull request comments (`issue_comment`), for `/deploy` comments --- */
export type CommentOptions = {
  repoUrl: string;
  number?: number;
  commentId?: number;
  body?: string;
  /** The commenter's login. */
  author?: string;
  action?: 'created' | 'edited' | 'deleted';
  /** false: a comment on a plain issue. */
  pullRequest?: boolean;
};

/** An `issue_comment` payload in the host's own format (GitHub's example, Gitea's as it sends it), pointed at `repoUrl`. */
export function commentPayload(host: 'github' | 'gitea', { repoUrl, number = 4, commentId = 112, body = '/deploy', author = 'ann', action = 'created', pullRequest = true }: CommentOptions): Record<string, any> {
  const repository = { full_name: fullNameOf(repoUrl), clone_url: repoUrl, html_url: repoUrl.replace(/\.git$/, ''), ssh_url: repoUrl };
  if (host === 'github') {
    const example = githubExamples.find((e) => e.name === 'issue_comment')?.examples.find((e) => e.action === 'created');
    if (!example) throw new Error('no issue_comment in @octokit/webhooks-examples');
    const p = structuredClone(example) as Record<string, any>;
    p.action = action;
    Object.assign(p.repository, { ...repository, git_url: repoUrl });
    p.issue.number = number;
    p.issue.state = 'open';
    if (pullRequest) p.issue.pull_request = { url: `https://api.github.com/repos/${repository.full_name}/pulls/${number}`, html_url: `${repository.html_url}/pull/${number}` };
    else delete p.issue.pull_request;
    Object.assign(p.comment, { id: commentId, body });
    Object.assign(p.comment.user, { login: author });
    return p;
  }
  const p = fixture('gitea-issue-comment.json');
  p.action = action;
  Object.assign(p.repository, repository);
  p.issue.number = number;
  p.is_pull = pullRequest;
  if (!pullRequest) p.issue.pull_request = null;
  Object.assign(p.comment, { id: commentId, body });
  Object.assign(p.comment.user, { login: author, username: author });
  return p;
}

/** A `pull_request` payload (GitHub's example, Gitea's shape) of pull request `number`, pointed at `repoUrl`. */
export function pullRequestPayload(host: 'github' | 'gitea', { repoUrl, number = 4, action = 'closed', sender = 'ann' }: { repoUrl: string; number?: number; action?: string; sender?: string }): Record<string, any> {
  const repository = { full_name: fullNameOf(repoUrl), clone_url: repoUrl, html_url: repoUrl.replace(/\.git$/, ''), ssh_url: repoUrl };
  if (host === 'github') {
    const example = githubExamples.find((e) => e.name === 'pull_request')?.examples.find((e) => e.action === 'closed');
    if (!example) throw new Error('no closed pull_request in @octokit/webhooks-examples');
    const p = structuredClone(example) as Record<string, any>;
    Object.assign(p, { action, number });
    p.pull_request.number = number;
    Object.assign(p.repository, { ...repository, git_url: repoUrl });
    p.sender.login = sender;
    return p;
  }
  const comment = fixture('gitea-issue-comment.json');
  const user = { ...comment.sender, login: sender, username: sender };
  return {
    action,
    number,
    pull_request: { id: 40 + number, number, user, title: 'A change', state: action === 'closed' ? 'closed' : 'open', merged: false, head: { ref: 'main', sha: 'b'.repeat(40) }, base: { ref: 'main' } },
    requested_reviewer: null,
    repository: { ...comment.repository, ...repository },
    sender: user,
    commit_id: '',
    review: null,
  };
}

/** The event header a host sends with `payload`: Gogs and Gitea name a deletion `delete`, the rest a push. */
export function eventOf(host: GitHost, payload: unknown): string {
  if (typeof payload === 'object' && payload !== null && 'comment' in payload && 'issue' in payload) return 'issue_comment';
  if (typeof payload === 'object' && payload !== null && 'pull_request' in payload && 'number' in payload) return 'pull_request';
  if (host === 'gitlab') return 'Push Hook';
  const deletion = (host === 'gogs' || host === 'gitea') && typeof payload === 'object' && payload !== null && 'ref_type' in payload;
  return deletion ? 'delete' : 'push';
}

function eventOfBody(host: GitHost, body: string): string {
  try {
    return eventOf(host, JSON.parse(body));
  } catch {
    return eventOf(host, undefined);
  }
}

/**
 * A GitHub delivery with content type `application/x-www-form-urlencoded`, as GitHub sends it when a webhook
 * is set so: the JSON in a `payload` field, the signature over the form body as sent.
 */
export function githubFormDelivery(payload: unknown, secret: string, options: { deliveryId?: string; event?: string } = {}) {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const headers = { ...deliveryHeaders('github', body, secret, options), 'content-type': 'application/x-www-form-urlencoded' };
  return { body, headers };
}

/** Headers a host sends with a delivery, signed with `secret` the host's way. */
export function deliveryHeaders(host: GitHost, body: string, secret: string, { event, deliveryId = randomUUID() }: { event?: string; deliveryId?: string } = {}) {
  const hex = createHmac('sha256', secret).update(body).digest('hex');
  const json = { 'content-type': 'application/json' };
  event ??= eventOfBody(host, body);
  switch (host) {
    case 'github':
      return { ...json, 'x-github-event': event, 'x-github-delivery': deliveryId, 'x-hub-signature-256': `sha256=${hex}` };
    case 'gogs':
      return { ...json, 'x-gogs-event': event, 'x-gogs-delivery': deliveryId, 'x-gogs-signature': hex };
    case 'gitea':
      return {
        ...json,
        'x-gitea-event': event,
        'x-gitea-delivery': deliveryId,
        'x-gitea-signature': hex,
        'x-gogs-event': event,
        'x-gogs-delivery': deliveryId,
        'x-gogs-signature': hex,
        'x-hub-signature-256': `sha256=${hex}`,
      };
    case 'gitlab':
      return { ...json, 'x-gitlab-event': event, 'x-gitlab-event-uuid': deliveryId, 'x-gitlab-token': secret };
  }
}
