import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakePullRequests } from './fake-pull-requests.js';

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
  private server?: Server;

  constructor(private readonly token: string) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
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
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
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
