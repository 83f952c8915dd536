import { z } from 'zod';
import type { GitHost } from '../../core/git-hosts.js';
import type { HostReleaseRequest, HostReleases, HostRepo, HostTagRequest, ReleaseStepResult } from '../../core/ports.js';
import { octokitFor } from './octokit.js';

/** A host's API: its token and base URL (`https://api.github.com`, `https://gitea.example.com/api/v1`, `https://gitlab.example.com/api/v4`). */
export type HostApi = { token: string; apiUrl: string };
export type HostReleaseOptions = { github?: HostApi; gitea?: HostApi; gitlab?: HostApi };

const TaggedCommit = z.object({ commit: z.object({ sha: z.string().optional(), id: z.string().optional() }) });
const ReleasePage = z.object({ html_url: z.string().optional(), _links: z.object({ self: z.string().optional() }).optional() });

/**
 * Tags and releases through the git hosts' REST APIs, for the hosts slipway has a token for: GitHub with
 * @octokit/rest (as commit statuses and deployments), Gitea and GitLab with their own endpoints. Idempotent: a
 * tag on the same commit, or a release of the tag, that exists already is success (the API's 409 or 422 is
 * checked against what is there).
 */
export function hostReleases(options: HostReleaseOptions): HostReleases {
  const github = options.github && githubReleases(options.github);
  const gitea = options.gitea && restReleases(giteaDialect(options.gitea));
  const gitlab = options.gitlab && restReleases(gitlabDialect(options.gitlab));
  const of = (host: GitHost) => (host === 'github' ? github : host === 'gitea' ? gitea : host === 'gitlab' ? gitlab : undefined);
  const need = (host: GitHost) => {
    const api = of(host);
    if (!api) throw new Error(`slipway has no API token for ${host}`);
    return api;
  };
  return {
    has: (host) => of(host) !== undefined,
    tag: (request) => need(request.repo.host).tag(request),
    release: (request) => need(request.repo.host).release(request),
    commitUrl: (repo, sha) => of(repo.host)?.commitUrl(repo.fullName, sha),
  };
}

type HostApiImpl = {
  tag(request: HostTagRequest): Promise<ReleaseStepResult>;
  release(request: HostReleaseRequest): Promise<{ result: ReleaseStepResult; url?: string }>;
  commitUrl(fullName: string, sha: string): string;
};

const ownerAndName = (repo: HostRepo) => {
  const [owner, name, ...rest] = repo.fullName.split('/');
  if (!owner || !name || rest.length > 0) throw new Error(`"${repo.fullName}" is not owner/name`);
  return { owner, repo: name };
};

const status = (error: unknown) => (error as { status?: number }).status;

function githubReleases(api: HostApi): HostApiImpl {
  const octokit = octokitFor(api);
  const web = api.apiUrl.replace(/\/+$/, '') === 'https://api.github.com' ? 'https://github.com' : api.apiUrl.replace(/\/api\/v3\/?$/, '');
  return {
    async tag({ repo, tag, sha }) {
      const where = ownerAndName(repo);
      const client = await octokit();
      const made = await client.rest.git.createRef({ ...where, ref: `refs/tags/${tag}`, sha }).then(() => undefined, (error: unknown) => error);
      if (made === undefined) return 'created';
      if (status(made) !== 422) throw hostError('GitHub', repo, made);
      // 422 "Reference already exists": success if it is this commit's.
      const { data } = await client.rest.git.getRef({ ...where, ref: `tags/${tag}` });
      if (data.object.sha === sha) return 'existed';
      throw new Error(`${repo.fullName} has tag ${tag} on ${data.object.sha.slice(0, 7)} already, not on ${sha.slice(0, 7)}`);
    },
    async release({ repo, tag, sha, name, notes }) {
      const where = ownerAndName(repo);
      const client = await octokit();
      try {
        const { data } = await client.rest.repos.createRelease({ ...where, tag_name: tag, target_commitish: sha, name, body: notes });
        return { result: 'created', url: data.html_url };
      } catch (error) {
        if (status(error) !== 422) throw hostError('GitHub', repo, error);
        const { data } = await client.rest.repos.getReleaseByTag({ ...where, tag });
        return { result: 'existed', url: data.html_url };
      }
    },
    commitUrl: (fullName, sha) => `${web}/${fullName}/commit/${sha}`,
  };
}

function hostError(host: string, repo: HostRepo, error: unknown): Error {
  const code = status(error);
  if (code === 404) return new Error(`${host} does not know ${repo.fullName}, or the token may not see it (404)`);
  if (code === 401 || code === 403) return new Error(`${host} refused the token (${code}): it needs write access to ${repo.fullName}'s contents`);
  return new Error(`${host} answered ${code ?? 'nothing'}: ${((error as Error).message ?? String(error)).slice(0, 200)}`);
}

/** How one REST host spells the tag and release calls: paths, bodies, the answer to "already exists". */
type Dialect = {
  host: string;
  api: HostApi;
  headers: Record<string, string>;
  /** Statuses that mean "it exists already". */
  exists: number[];
  tagPath(repo: HostRepo, tag?: string): string;
  tagBody(request: HostTagRequest): unknown;
  releasePath(repo: HostRepo, tag?: string): string;
  releaseBody(request: HostReleaseRequest): unknown;
  web: string;
  commitPath: string;
};

function giteaDialect(api: HostApi): Dialect {
  const repoPath = (repo: HostRepo) => `/repos/${ownerAndName(repo).owner}/${ownerAndName(repo).repo}`;
  return {
    host: 'Gitea',
    api,
    headers: { authorization: `token ${api.token}` },
    exists: [409, 422],
    tagPath: (repo, tag) => `${repoPath(repo)}/tags${tag ? `/${encodeURIComponent(tag)}` : ''}`,
    tagBody: ({ tag, sha, message }) => ({ tag_name: tag, target: sha, message }),
    releasePath: (repo, tag) => `${repoPath(repo)}/releases${tag ? `/tags/${encodeURIComponent(tag)}` : ''}`,
    releaseBody: ({ tag, sha, name, notes }) => ({ tag_name: tag, target_commitish: sha, name, body: notes }),
    web: api.apiUrl.replace(/\/api\/v1\/?$/, ''),
    commitPath: 'commit',
  };
}

function gitlabDialect(api: HostApi): Dialect {
  const project = (repo: HostRepo) => `/projects/${encodeURIComponent(repo.fullName)}`;
  return {
    host: 'GitLab',
    api,
    headers: { 'private-token': api.token },
    // GitLab answers 400 "Tag … already exists" and 409 "Release already exists".
    exists: [400, 409],
    tagPath: (repo, tag) => `${project(repo)}/repository/tags${tag ? `/${encodeURIComponent(tag)}` : ''}`,
    tagBody: ({ tag, sha, message }) => ({ tag_name: tag, ref: sha, message }),
    releasePath: (repo, tag) => `${project(repo)}/releases${tag ? `/${encodeURIComponent(tag)}` : ''}`,
    releaseBody: ({ tag, sha, name, notes }) => ({ tag_name: tag, ref: sha, name, description: notes }),
    web: api.apiUrl.replace(/\/api\/v4\/?$/, ''),
    commitPath: '-/commit',
  };
}

function restReleases(d: Dialect): HostApiImpl {
  const base = d.api.apiUrl.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...d.headers, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      // A host that does not answer fails the step, not the run: the thread says so.
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  };
  const failed = (repo: HostRepo, what: string, answer: { status: number; text: string }) =>
    hostError(d.host, repo, Object.assign(new Error(`${what}: ${answer.text.slice(0, 200)}`), { status: answer.status }));
  return {
    async tag(request) {
      const made = await call('POST', d.tagPath(request.repo), d.tagBody(request));
      if (made.status === 201 || made.status === 200) return 'created';
      if (!d.exists.includes(made.status)) throw failed(request.repo, `tagging ${request.tag}`, made);
      const found = await call('GET', d.tagPath(request.repo, request.tag));
      if (found.status !== 200) throw failed(request.repo, `creating tag ${request.tag}`, made);
      const { commit } = TaggedCommit.parse(found.json);
      const at = commit.sha ?? commit.id ?? '';
      if (at === request.sha) return 'existed';
      throw new Error(`${request.repo.fullName} has tag ${request.tag} on ${at.slice(0, 7)} already, not on ${request.sha.slice(0, 7)}`);
    },
    async release(request) {
      const made = await call('POST', d.releasePath(request.repo), d.releaseBody(request));
      const urlOf = (json: unknown) => {
        const page = ReleasePage.safeParse(json);
        return page.success ? page.data.html_url ?? page.data._links?.self : undefined;
      };
      if (made.status === 201 || made.status === 200) return { result: 'created', url: urlOf(made.json) };
      if (!d.exists.includes(made.status)) throw failed(request.repo, `releasing ${request.tag}`, made);
      const found = await call('GET', d.releasePath(request.repo, request.tag));
      if (found.status !== 200) throw failed(request.repo, `releasing ${request.tag}`, made);
      return { result: 'existed', url: urlOf(found.json) };
    },
    commitUrl: (fullName, sha) => `${d.web}/${fullName}/${d.commitPath}/${sha}`,
  };
}
