import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How a test behaves: passes, fails, needs `polls` polls before its result is in, or never finishes. */
export type Behaviour = { outcome: 'passed' | 'failed'; polls?: number } | { outcome: 'never' };

type Batch = { tests: { publicId: string; startUrl?: string }[]; polls: number };

/**
 * The Datadog Synthetics CI API at its HTTP boundary, on 127.0.0.1: checks `DD-API-KEY` and
 * `DD-APPLICATION-KEY`, and the trigger body's shape as the API documents it (`tests[].public_id`, `startUrl`).
 * Knows only the tests it is given; records every request.
 */
export class FakeDatadog {
  readonly requests: { method: string; path: string; body: unknown; headers: Record<string, string | string[] | undefined> }[] = [];
  readonly problems: string[] = [];
  private readonly batches = new Map<string, Batch>();
  private readonly rateLimited: number[] = [];
  private server?: Server;

  constructor(
    private readonly keys: { apiKey: string; appKey: string },
    readonly tests: Record<string, { name: string; behaviour: Behaviour }>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  /** The next `times` requests get 429 with `x-ratelimit-reset: 1`, as Datadog's rate limiter answers. */
  rateLimitNext(times: number): void {
    for (let i = 0; i < times; i += 1) this.rateLimited.push(1);
  }

  triggers() {
    return this.requests.filter((r) => r.path === '/api/v1/synthetics/tests/trigger/ci');
  }

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString();
      const path = (req.url ?? '').split('?')[0] ?? '';
      const body = text ? (JSON.parse(text) as unknown) : undefined;
      this.requests.push({ method: req.method ?? '', path, body, headers: req.headers });
      const reply = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
      };
      if (this.rateLimited.shift()) return reply(429, { errors: ['Rate limit exceeded'] }, { 'x-ratelimit-reset': '1' });
      if (req.headers['dd-api-key'] !== this.keys.apiKey || req.headers['dd-application-key'] !== this.keys.appKey) {
        return reply(403, { errors: ['Forbidden'] });
      }

      if (req.method === 'POST' && path === '/api/v1/synthetics/tests/trigger/ci') {
        const tests = (body as { tests?: { public_id?: unknown; startUrl?: unknown }[] } | undefined)?.tests;
        if (!Array.isArray(tests) || tests.length === 0 || tests.some((t) => typeof t.public_id !== 'string')) {
          this.problems.push(`bad trigger body: ${text}`);
          return reply(400, { errors: ['tests[].public_id is required'] });
        }
        const unknown = tests.filter((t) => !this.tests[String(t.public_id)]);
        if (unknown.length > 0) return reply(404, { errors: [`Synthetics tests not found: ${unknown.map((t) => t.public_id).join(', ')}`] });
        const batchId = randomUUID();
        this.batches.set(batchId, { tests: tests.map((t) => ({ publicId: String(t.public_id), startUrl: t.startUrl as string | undefined })), polls: 0 });
        return reply(200, {
          batch_id: batchId,
          locations: [{ id: 1, name: 'aws:eu-central-1' }],
          results: tests.map((t) => ({ public_id: t.public_id, result_id: randomUUID(), location: 1 })),
          triggered_check_ids: tests.map((t) => t.public_id),
        });
      }

      const batchMatch = /^\/api\/v1\/synthetics\/ci\/batch\/([^/]+)$/.exec(path);
      if (req.method === 'GET' && batchMatch) {
        const batch = this.batches.get(batchMatch[1] ?? '');
        if (!batch) return reply(404, { errors: ['Batch not found'] });
        batch.polls += 1;
        const results = batch.tests.map(({ publicId }) => {
          const test = this.tests[publicId]!;
          const done = test.behaviour.outcome !== 'never' && batch.polls > (test.behaviour.polls ?? 0);
          const status = done ? test.behaviour.outcome : 'in_progress';
          return { test_public_id: publicId, test_name: test.name, status, duration: 1234, result_id: `r-${publicId}`, location: 'aws:eu-central-1', execution_rule: 'blocking', test_type: 'browser' };
        });
        const status = results.every((r) => r.status !== 'in_progress') ? (results.some((r) => r.status === 'failed') ? 'failed' : 'passed') : 'in_progress';
        return reply(200, { data: { status, results, metadata: {} } });
      }
      this.problems.push(`unexpected ${req.method} ${path}`);
      return reply(404, { errors: ['Not found'] });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
