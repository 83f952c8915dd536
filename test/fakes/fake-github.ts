import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakePullRequests } from './fake-pull-requests.js';
import { FakeRepos, isSha } from './fake-repos.js';

export type StatusCall = { owner: string; repo: string; sha: string; state: string; description?: string; context?: string; target_url?: string };
export type DeploymentCall = {
  id: number;
  owner: string;
  repo: string;
  ref: string;
  environment: string;
  required_contexts?: string[];
  auto_merge?: boolean;
  transient_environment?: boolean;
  production_environment?: boolean;
  payload?: unknown;
};
export type DeploymentStatusCall = { deploymentId: number; state: string; environment_url?: string; log_url?: string; description?: string };

const DEPLOYMENT_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];

/**
 * GitHub's commit status and Deployments APIs (and Gitea's statuses API, the same shape under /api/v1) at
 * their HTTP boundary: checks the token and the bodies as GitHub does (required fields, known states, known
 * deployments), records calls.
 */
export class FakeGitHub {
  readonly statuses: StatusCall[] = [];
  readonly deployments: DeploymentCall[] = [];
  readonly deploymentStatuses: DeploymentStatusCall[] = [];
  readonly problems: string[] = [];
  // --- Pull requests and their comments (pull request deploys): test/fakes/fake-pull-requests.ts ---
  readonly pulls = new FakePullRequests('', 'https://github.com', this.problems);
  /** Tags and releases (git refs and Releases APIs) of the repositories added to it; others are 404. */
  readonly repos = new FakeRepos('https://github.example');
  private server?: Server;

  constructor(private readonly token: string) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  /** Listens on 127.0.0.1:`port` (0: any free port). */
  async start(port = 0): Promise<void> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const auth = req.headers.authorization ?? '';
      if (auth !== `token ${this.token}` && auth !== `bearer ${this.token}`) {
        this.problems.push(`bad authorization "${auth}"`);
        return reply(401, { message: 'Bad credentials' });
      }
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
      // --- Pull requests and their comments ---
      const pullCall = this.pulls.handle(req.method ?? '', req.url ?? '', body);
      if (pullCall) return reply(...pullCall);
      const released = this.tagsAndReleases(req.method ?? '', req.url ?? '', body);
      if (released) return reply(...released);
      const deployments = /^\/repos\/([^/]+)\/([^/]+)\/deployments(?:\/(\d+)\/statuses)?$/.exec(req.url ?? '');
      if (req.method === 'POST' && deployments) return reply(...this.deploymentCall(deployments[1]!, deployments[2]!, deployments[3], body));
      // Gitea's statuses API has GitHub's shape under /api/v1: one fake serves both.
      const match = /^(?:\/api\/v1)?\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) {
        this.problems.push(`unexpected ${req.method} ${req.url}`);
        return reply(404, { message: 'Not Found' });
      }
      const status = body as Omit<StatusCall, 'owner' | 'repo' | 'sha'>;
      if (!['error', 'failure', 'pending', 'success'].includes(status.state) || (status.description?.length ?? 0) > 140) {
        this.problems.push(`invalid status ${JSON.stringify(body)}`);
        return reply(422, { message: 'Validation Failed' });
      }
      this.statuses.push({ owner: match[1]!, repo: match[2]!, sha: match[3]!, ...status });
      reply(201, { id: this.statuses.length, ...body });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
  }

  /** POST /repos/{owner}/{repo}/deployments, or …/deployments/{id}/statuses. */
  private deploymentCall(owner: string, repo: string, statusOf: string | undefined, body: Record<string, unknown>): [number, unknown] {
    const invalid = (why: string): [number, unknown] => {
      this.problems.push(`${why}: ${JSON.stringify(body)}`);
      return [422, { message: 'Validation Failed', errors: [why] }];
    };
    const urlField = (field: string) => body[field] === undefined || (typeof body[field] === 'string' && /^https?:\/\//.test(body[field]));
    if (statusOf === undefined) {
      if (typeof body.ref !== 'string' || body.ref === '') return invalid('a deployment needs a ref');
      if (body.required_contexts !== undefined && !Array.isArray(body.required_contexts)) return invalid('required_contexts must be an array');
      const deployment = { id: 1000 + this.deployments.length, owner, repo, ...(body as Omit<DeploymentCall, 'id' | 'owner' | 'repo'>), environment: (body.environment as string | undefined) ?? 'production' };
      this.deployments.push(deployment);
      return [201, { ...deployment, sha: deployment.ref }];
    }
    const deploymentId = Number(statusOf);
    if (!this.deployments.some((d) => d.id === deploymentId && d.owner === owner && d.repo === repo)) {
      this.problems.push(`a status for unknown deployment ${deploymentId}`);
      return [404, { message: 'Not Found' }];
    }
    if (typeof body.state !== 'string' || !DEPLOYMENT_STATES.includes(body.state)) return invalid('state is not one GitHub knows');
    if (!urlField('environment_url') || !urlField('log_url')) return invalid('environment_url and log_url must be http(s) URLs');
    if (typeof body.description === 'string' && body.description.length > 140) return invalid('description is longer than 140 characters');
    this.deploymentStatuses.push({ deploymentId, ...(body as Omit<DeploymentStatusCall, 'deploymentId'>) });
    return [201, { id: this.deploymentStatuses.length, state: body.state }];
  }

  /**
   * `POST /repos/{o}/{r}/git/refs`, `GET …/git/ref/tags/{tag}`, `POST …/releases`, `GET …/releases/tags/{tag}`,
   * answering as GitHub does: 422 for a ref or a release that exists, 404 for an unknown repository or tag.
   */
  private tagsAndReleases(method: string, url: string, body: Record<string, unknown>): [number, unknown] | undefined {
    // The ref of `git/ref/{ref}` comes URL-encoded from @octokit/rest (tags%2Fv1.0.0), as GitHub takes it too.
    const match = /^\/repos\/([^/]+)\/([^/]+)\/(git\/refs|git\/ref\/tags\/[^/]+|releases|releases\/tags\/[^/]+)$/.exec(url.replace(/%2F/gi, '/'));
    if (!match) return undefined;
    const repo = `${match[1]}/${match[2]}`;
    const what = match[3]!;
    if (!this.repos.has(repo)) return [404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }];
    const invalid = (why: string): [number, unknown] => {
      this.problems.push(`${why}: ${JSON.stringify(body)}`);
      return [422, { message: 'Validation Failed', errors: [why] }];
    };
    if (method === 'POST' && what === 'git/refs') {
      const ref = body.ref;
      if (typeof ref !== 'string' || !/^refs\/[^/]+\/.+/.test(ref)) return invalid('ref must start with refs/ and have at least two slashes');
      if (!isSha(body.sha)) return invalid('sha must be a full commit sha');
      const tag = ref.replace(/^refs\/tags\//, '');
      if (this.repos.tagOf(repo, tag)) return [422, { message: 'Reference already exists' }];
      this.repos.setTag(repo, tag, body.sha);
      return [201, { ref, object: { sha: body.sha, type: 'commit' } }];
    }
    if (method === 'GET' && what.startsWith('git/ref/tags/')) {
      const tag = decodeURIComponent(what.slice('git/ref/tags/'.length));
      const sha = this.repos.tagOf(repo, tag);
      return sha ? [200, { ref: `refs/tags/${tag}`, object: { sha, type: 'commit' } }] : [404, { message: 'Not Found' }];
    }
    if (method === 'POST' && what === 'releases') {
      const tag = body.tag_name;
      if (typeof tag !== 'string' || tag === '') return invalid('tag_name is required');
      if (body.target_commitish !== undefined && typeof body.target_commitish !== 'string') return invalid('target_commitish must be a string');
      if (this.repos.releaseOf(repo, tag)) return [422, { message: 'Validation Failed', errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }] }];
      // GitHub makes the tag from target_commitish when it does not exist yet.
      if (!this.repos.tagOf(repo, tag) && isSha(body.target_commitish)) this.repos.setTag(repo, tag, body.target_commitish);
      const release = this.repos.addRelease(repo, { tag, name: body.name as string | undefined, notes: body.body as string | undefined }, 'releases/tag');
      return [201, { id: 1, tag_name: tag, html_url: release.url }];
    }
    if (method === 'GET' && what.startsWith('releases/tags/')) {
      const release = this.repos.releaseOf(repo, decodeURIComponent(what.slice('releases/tags/'.length)));
      return release ? [200, { id: 1, tag_name: release.tag, html_url: release.url }] : [404, { message: 'Not Found' }];
    }
    return undefined;
  }

  /** The states one environment's deployments went through, per deployment in the order they were made. */
  statesOf(environment: string): string[][] {
    return this.deployments
      .filter((d) => d.environment === environment)
      .map((d) => this.deploymentStatuses.filter((s) => s.deploymentId === d.id).map((s) => s.state));
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
