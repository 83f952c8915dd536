import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { closeRedis, connectRedis, waitForRedis } from '../../src/adapters/redis/redis-connection.js';
import { RedisRunStore } from '../../src/adapters/store/redis-run-store.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { until } from '../helpers/run-watch.js';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';

const MAIN = resolve('dist/src/main.js');
const RECEIVER_PORT = 27150;
const SECRET = 'otlp-gogs-secret';
const TOKEN = 'xoxb-otlp';

/** What an OTLP/HTTP exporter posts to /v1/traces, as JSON (ids in hex), reduced to what the test reads. */
type Value = { stringValue?: string; intValue?: string | number; boolValue?: boolean };
type Attribute = { key: string; value: Value };
type OtlpSpan = { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: Attribute[]; status?: { code?: number } };
type Export = { resourceSpans: { resource: { attributes: Attribute[] }; scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[] }[] };

/** A small OTLP/HTTP trace receiver on 127.0.0.1: keeps each export and its headers, answers as a collector does. */
class OtlpReceiver {
  readonly exports: { headers: IncomingHttpHeaders; body: Export }[] = [];
  readonly unexpected: string[] = [];
  private server?: Server;

  async start(port: number): Promise<void> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        this.unexpected.push(`${req.method} ${req.url} (${req.headers['content-type']})`);
        res.writeHead(415).end();
        return;
      }
      this.exports.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Export });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((ready) => this.server!.listen(port, '127.0.0.1', ready));
  }

  spans(): (OtlpSpan & { resource: Attribute[]; scope: string })[] {
    return this.exports.flatMap(({ body }) => body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ ...span, resource: r.resource.attributes, scope: s.scope.name })))));
  }

  async stop(): Promise<void> {
    await new Promise((done) => this.server?.close(done));
  }
}

const attribute = (attributes: Attribute[] | undefined, key: string) => {
  const value = attributes?.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? value?.boolValue : Number(value.intValue));
};

let dir: string;
let redis: EmbeddedRedis;
let slack: FakeSlack;
const receiver = new OtlpReceiver();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-otlp-'));
  redis = await startEmbeddedRedis(join(dir, 'redis'));
  slack = new FakeSlack({ token: TOKEN, users: {} });
  await slack.start();
  await receiver.start(RECEIVER_PORT);
  // A repository without the pushed commit: the run fails at checkout, after a real fetch.
  await promisify(execFile)('git', ['init', '--quiet', '--bare', join(dir, 'traces.git')]);
  await writeFile(
    join(dir, 'slipway.yml'),
    `services:\n  traces:\n    repo: file://${join(dir, 'traces.git')}\n    image: 127.0.0.1:5000/slipway-e2e-otlp\n    channel: "#sample"\n    environments:\n      - { name: staging, port: 27111 }\n`,
  );
});

afterAll(async () => {
  await receiver.stop();
  await slack.stop();
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('traces over OTLP/HTTP', () => {
  it('sends a run\'s spans, in the trace of the caller\'s traceparent, to OTEL_EXPORTER_OTLP_ENDPOINT, flushed on shutdown', async () => {
    const env = {
      ...process.env,
      PORT: '0',
      REDIS_URL: redis.url,
      SLIPWAY_CONFIG: join(dir, 'slipway.yml'),
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: 'otlp-signing-secret',
      SLACK_API_URL: slack.url,
      GOGS_WEBHOOK_SECRET: SECRET,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${RECEIVER_PORT}`,
      // Nothing goes out on the batch's timer during the test: what arrives is what shutdown flushed.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    };
    const child = spawn(process.execPath, [MAIN], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // A test that fails before its SIGTERM leaves no slipway behind (it would send its spans here much later).
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    const port = await until(async () => {
      if (child.exitCode !== null) throw new Error(`slipway exited early:\n${output}`);
      return /slipway listening on port (\d+)/.exec(output)?.[1];
    }, 'slipway to listen', 60_000, 50);
    expect(output).toContain('exporting traces over OTLP/HTTP');

    // The git host's delivery carries its own trace context: slipway's spans join that trace.
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const body = JSON.stringify(pushPayload('gogs', { repoUrl: `file://${join(dir, 'traces.git')}`, after: randomBytes(20).toString('hex') }));
    const answer = await fetch(`http://127.0.0.1:${port}/webhooks/gogs`, {
      method: 'POST',
      headers: { ...deliveryHeaders('gogs', body, SECRET), traceparent: `00-${traceId}-${callerSpan}-01` },
      body,
    });
    expect(answer.status).toBe(202);
    const { runId } = (await answer.json()) as { runId: string };

    const connection = connectRedis(redis.url);
    await waitForRedis(connection);
    try {
      const run = await until(async () => {
        const r = await new RedisRunStore(connection).get(runId);
        return r?.status === 'failed' ? r : undefined;
      }, `run ${runId} to fail at checkout`);
      expect(run.failure?.stage).toBe('checkout');
      // The failure alert is the run's last Slack call: once it is posted, the run's spans are all made.
      await until(async () => (slack.callsOf('chat.postMessage').some((c) => String(c.args.text).includes('failed at')) ? true : undefined), 'the failure alert in Slack');
    } finally {
      await closeRedis(connection);
    }
    const sentEarly = receiver.spans().filter((s) => s.traceId === traceId);
    expect(sentEarly).toEqual([]);

    child.kill('SIGTERM');
    expect(await exited, output).toBe(0);

    expect(receiver.unexpected).toEqual([]);
    const spans = receiver.spans().filter((s) => s.traceId === traceId);
    const byName = (name: string) => {
      const span = spans.find((s) => s.name === name);
      if (!span) throw new Error(`no span "${name}" arrived; these did: ${receiver.spans().map((s) => s.name).join(', ')}`);
      return span;
    };
    const request = byName('POST /webhooks/:host');
    expect(request.parentSpanId).toBe(callerSpan);
    expect(request.kind).toBe(2); // SPAN_KIND_SERVER
    expect(attribute(request.attributes, 'http.request.method')).toBe('POST');
    expect(attribute(request.attributes, 'http.response.status_code')).toBe(202);
    expect(attribute(request.resource, 'service.name')).toBe('slipway');
    expect(request.scope).toBe('slipway');

    const send = byName('send runs');
    expect(send.parentSpanId).toBe(request.spanId);
    const processSpan = byName('process runs');
    expect(processSpan.parentSpanId).toBe(send.spanId);
    const checkout = byName('stage checkout');
    expect(checkout.parentSpanId).toBe(processSpan.spanId);
    expect(attribute(checkout.attributes, 'slipway.run_id')).toBe(runId);
    expect(attribute(checkout.attributes, 'slipway.stage.status')).toBe('failed');
    expect(checkout.status?.code).toBe(2); // STATUS_CODE_ERROR
    const fetchSpan = byName('git fetch');
    expect(fetchSpan.parentSpanId).toBe(checkout.spanId);
    expect(fetchSpan.status?.code).toBe(2);
    expect(spans.filter((s) => s.name === 'slack chat.postMessage').length).toBeGreaterThan(0);
  }, 180_000);
});
