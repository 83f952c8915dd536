import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StatusCall } from './fake-github.js';
import { FakePullRequests } from './fake-pull-requests.js';

/**
 * Gitea's REST API under /api/v1, the parts slipway uses for pull request deploys: pull requests and their
 * comments (FakePullRequests), and commit statuses (a run from a pull request reports on its head). Checks the
 * `token` authorization as Gitea does; any other call is a problem.
 */
export class FakeGitea {
  readonly problems: string[] = [];
  readonly statuses: StatusCall[] = [];
  readonly pulls = new FakePullRequests('/api/v1', 'https://gitea.example.com', this.problems);
  private server?: Server;

  constructor(private readonly token: string) {}

  /** What GITEA_API_URL is set to. */
  get apiUrl(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/api/v1`;
  }

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `token ${this.token}`) {
        this.problems.push(`bad authorization "${req.headers.authorization ?? ''}" on ${req.method} ${req.url}`);
        return reply(401, { message: 'token is required' });
      }
      let body: Record<string, unknown> = {};
      try {
        if (chunks.length > 0) body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
      } catch {
        this.problems.push(`a body that is not JSON on ${req.method} ${req.url}`);
        return reply(400, { message: 'invalid JSON' });
      }
      const handled = this.pulls.handle(req.method ?? '', req.url ?? '', body);
      if (handled) return reply(...handled);
      const status = /^\/api\/v1\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(req.url ?? '');
      if (req.method === 'POST' && status && ['pending', 'success', 'error', 'failure', 'warning'].includes(String(body.state))) {
        this.statuses.push({ owner: status[1]!, repo: status[2]!, sha: status[3]!, ...(body as { state: string }) });
        return reply(201, { id: this.statuses.length, ...body });
      }
      this.problems.push(`unexpected ${req.method} ${req.url}`);
      reply(404, { message: 'Not Found' });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
