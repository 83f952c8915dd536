import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StatusCall = { owner: string; repo: string; sha: string; state: string; description?: string; context?: string; target_url?: string };

/** GitHub's commit status API at its HTTP boundary: checks the token and the body as GitHub does, records calls. */
export class FakeGitHub {
  readonly statuses: StatusCall[] = [];
  readonly problems: string[] = [];
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
      const match = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) {
        this.problems.push(`unexpected ${req.method} ${req.url}`);
        return reply(404, { message: 'Not Found' });
      }
      const body = JSON.parse(Buffer.concat(chunks).toString()) as Omit<StatusCall, 'owner' | 'repo' | 'sha'>;
      if (!['error', 'failure', 'pending', 'success'].includes(body.state) || (body.description?.length ?? 0) > 140) {
        this.problems.push(`invalid status ${JSON.stringify(body)}`);
        return reply(422, { message: 'Validation Failed' });
      }
      this.statuses.push({ owner: match[1]!, repo: match[2]!, sha: match[3]!, ...body });
      reply(201, { id: this.statuses.length, ...body });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
