import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { TEST_CONFIG } from '../helpers/test-slipway.js';

const MAIN = resolve('dist/src/main.js');
const TOKEN = 'xoxb-modes';

// Loaded before slipway: at exit, writes the packages the process had loaded (CommonJS ones are in require.cache:
// Bolt, dockerode and BullMQ are CommonJS).
const RECORDER = `
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
process.on('exit', () => writeFileSync(process.env.LOADED_OUT, JSON.stringify(Object.keys(require.cache))));
`;

let dir: string;
let redis: EmbeddedRedis;
let slack: FakeSlack;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-modes-'));
  redis = await startEmbeddedRedis(join(dir, 'redis'));
  slack = new FakeSlack({ token: TOKEN, users: {} });
  await slack.start();
  await writeFile(join(dir, 'slipway.yml'), TEST_CONFIG);
  await writeFile(join(dir, 'recorder.mjs'), RECORDER);
});

afterAll(async () => {
  await slack.stop();
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Starts `slipway <mode>` with Slack configured, stops it once started (and `whenStarted` is done), and answers
 * the packages it loaded.
 */
async function packagesLoadedBy(
  mode: 'server' | 'worker',
  { extraEnv = {}, whenStarted }: { extraEnv?: Record<string, string>; whenStarted?(port: number): Promise<void> } = {},
): Promise<Set<string>> {
  const out = join(dir, `${mode}-${Object.keys(extraEnv).length}-loaded.json`);
  const env = {
    ...process.env,
    PORT: '0',
    REDIS_URL: redis.url,
    SLIPWAY_CONFIG: join(dir, 'slipway.yml'),
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: 'modes-secret',
    SLACK_API_URL: slack.url,
    LOADED_OUT: out,
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['--import', join(dir, 'recorder.mjs'), MAIN, mode], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const startedLine = mode === 'server' ? 'slipway listening' : 'answering health and metrics';
  const deadline = Date.now() + 30_000;
  while (!output.includes(startedLine)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`slipway ${mode} did not say "${startedLine}" within 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (whenStarted) await whenStarted(Number(/listening on port (\d+)/.exec(output)?.[1]));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  const files = JSON.parse(await readFile(out, 'utf8')) as string[];
  return new Set(files.map((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1]).filter((name): name is string => !!name));
}

/** OpenTelemetry's SDK and exporter: only the API (whose tracer is a no-op without them) when traces are off. */
const TRACING_SDK = [
  '@opentelemetry/sdk-trace-node', '@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-trace', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/otlp-transformer',
  '@opentelemetry/resources',
];

describe('what each mode loads', () => {
  it('a worker loads the Docker client and BullMQ but not Bolt: it answers no Slack request', async () => {
    const loaded = await packagesLoadedBy('worker');

    expect(loaded).toContain('dockerode');
    expect(loaded).toContain('bullmq');
    expect(loaded).not.toContain('@slack/bolt');
    for (const name of TRACING_SDK) expect(loaded).not.toContain(name);
  });

  it('a server loads Bolt but not the Docker client: it builds and deploys nothing', async () => {
    const loaded = await packagesLoadedBy('server');

    expect(loaded).toContain('@slack/bolt');
    expect(loaded).not.toContain('dockerode');
    expect(loaded).not.toContain('ssh2');
    // Charts (/slipway stats, the service page) load their renderer when the first one is asked for.
    expect(loaded).not.toContain('@resvg/resvg-js');
    // The queue dashboard is off without SLIPWAY_ADMIN_* credentials: Bull Board and its Express adapter's view
    // engine are not loaded. (Express itself is: Bolt's index requires it for its ExpressReceiver.)
    expect(loaded).not.toContain('@bull-board/api');
    expect(loaded).not.toContain('@bull-board/express');
    expect(loaded).not.toContain('ejs');
    // No OTEL_EXPORTER_OTLP_ENDPOINT: no tracing SDK.
    for (const name of TRACING_SDK) expect(loaded).not.toContain(name);
  });

  it('a server with the queue dashboard on loads Bull Board and its Express adapter at the first request that has the credentials', async () => {
    const token = 'modes-admin-token-0123456789abcdef0123';
    let refused = 0;
    let answered = 0;
    const loaded = await packagesLoadedBy('server', {
      extraEnv: { SLIPWAY_ADMIN_TOKEN: token, PORT: '27004' },
      async whenStarted(port) {
        refused = (await fetch(`http://127.0.0.1:${port}/admin/queues/api/queues`)).status;
        answered = (await fetch(`http://127.0.0.1:${port}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${token}` } })).status;
      },
    });

    expect([refused, answered]).toEqual([401, 200]);
    expect(loaded).toContain('@bull-board/api');
    expect(loaded).toContain('@bull-board/express');
    expect(loaded).toContain('ejs');
  });

  it('loads the tracing SDK and exporter when OTEL_EXPORTER_OTLP_ENDPOINT is set (the recorder sees them)', async () => {
    // Nothing listens there: the exporter only tries when it flushes at shutdown, and a failed send stops nothing.
    const loaded = await packagesLoadedBy('worker', { extraEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:27199', OTEL_EXPORTER_OTLP_TIMEOUT: '2000' } });

    for (const name of TRACING_SDK) expect(loaded).toContain(name);
  });
});
