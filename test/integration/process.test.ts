import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ephemeralEnvName } from '../../src/core/naming.js';
import { isFinished } from '../../src/core/run.js';
import { until } from '../helpers/run-watch.js';
import { DISCOUNTS_REPO, SECRETS, startTestSlipway, TEST_CONFIG } from '../helpers/test-slipway.js';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';

const MAIN = resolve('dist/src/main.js');
const started: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** slipway as `npm start` runs it (dist/ is built by the global setup), in an empty directory. */
async function spawnSlipway(env: Record<string, string> = {}, args: string[] = []) {
  const cwd = await mkdtemp(join(tmpdir(), 'slipway-proc-'));
  dirs.push(cwd);
  const { REDIS_URL: _ignored, SLIPWAY_CONFIG: _alsoIgnored, ...inherited } = process.env;
  const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { ...inherited, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, cwd, exited, out: () => stdout, err: () => stderr };
}

describe('slipway as a process', () => {
  it('starts with nothing configured on an embedded Redis, answers /healthz, and stops cleanly on SIGTERM', async () => {
    const slipway = await spawnSlipway();
    // No Slack token: local mode, whose chat is stdout; the log goes to stderr.
    const port = await until(async () => /"port":(\d+)[^\n]*slipway listening/.exec(slipway.err())?.[1], 'slipway to say where it listens', 60_000, 50);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok', docker: 'ok' } });
    expect(slipway.err()).toContain('REDIS_URL is not set: started an embedded redis-server');
    expect(slipway.err()).toContain(join(slipway.cwd, '.slipway', 'redis'));
    // The embedded Redis's password stays in its file: not in the log, not in the chat.
    const password = (await readFile(join(slipway.cwd, '.slipway', 'redis', 'password'), 'utf8')).trim();
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    expect(slipway.err() + slipway.out()).not.toContain(password);
    expect(slipway.out()).toContain('slipway local mode.');

    slipway.child.kill('SIGTERM');
    expect(await slipway.exited).toBe(0);
    expect(slipway.err()).toContain('embedded Redis stopped');
  });

  it('stops cleanly on a SIGTERM that comes while it is still starting', async () => {
    const slipway = await spawnSlipway();
    // Its embedded Redis is up; its stores, workers and port are not yet.
    await until(async () => (slipway.err().includes('started an embedded redis-server') ? true : undefined), 'slipway to start its embedded Redis', 60_000, 10);
    slipway.child.kill('SIGTERM');

    expect(await slipway.exited).toBe(0);
    expect(slipway.err()).toContain('"signal":"SIGTERM"');
    expect(slipway.err()).toContain('embedded Redis stopped');
  });

  it('refuses to start on bad environment values, naming each', async () => {
    const slipway = await spawnSlipway({ PORT: 'eighty', REDIS_URL: 'localhost' });
    expect(await slipway.exited).toBe(1);
    expect(slipway.err()).toContain('bad environment variables');
    expect(slipway.err()).toContain('PORT: expected a port number');
    expect(slipway.err()).toContain('REDIS_URL: expected a redis:// or rediss:// URL');
    expect(slipway.err()).not.toMatch(/\n\s+at /);
  });

  it('refuses to start on a broken config file, listing every bad key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-cfg-'));
    dirs.push(dir);
    const file = join(dir, 'slipway.yml');
    await writeFile(file, 'services:\n  discounts:\n    repo: acme/discounts\n    imgae: x\n    channel: "#d"\n    environments: []\n');
    const slipway = await spawnSlipway({ SLIPWAY_CONFIG: file });
    expect(await slipway.exited).toBe(1);
    expect(slipway.err()).toContain(`${file} has 3 problems:`);
    expect(slipway.err()).toContain('services.discounts: unknown key "imgae"');
    expect(slipway.err()).toContain('services.discounts.image:');
    expect(slipway.err()).toContain('services.discounts.environments: expected at least one environment');
  });

  it('refuses a config file it was told to use but cannot find', async () => {
    const slipway = await spawnSlipway({ SLIPWAY_CONFIG: '/nonexistent/slipway.yml' });
    expect(await slipway.exited).toBe(1);
    expect(slipway.err()).toContain('cannot read the config file /nonexistent/slipway.yml');
  });

  it('refuses an unknown mode with its usage', async () => {
    const slipway = await spawnSlipway({}, ['serve']);
    expect(await slipway.exited).toBe(1);
    expect(slipway.err()).toContain('usage: slipway [server|worker]');
  });

  it('runs pipelines in a separate `slipway worker` process sharing the server’s Redis', async () => {
    const server = await startTestSlipway();
    try {
      const dir = await mkdtemp(join(tmpdir(), 'slipway-worker-'));
      dirs.push(dir);
      await writeFile(join(dir, 'slipway.yml'), TEST_CONFIG);
      const worker = await spawnSlipway({ REDIS_URL: server.redisServer.url, SLIPWAY_CONFIG: join(dir, 'slipway.yml') }, ['worker']);
      await until(async () => (worker.out().includes('worker started') ? true : undefined), 'the worker to start', 60_000, 50);

      // A deleted feature branch: its teardown needs no build, so the test stays quick.
      const body = JSON.stringify(pushPayload('gogs', { repoUrl: DISCOUNTS_REPO, ref: 'refs/heads/dev/feature-gone', deleted: true }));
      const res = await fetch(`${server.url}/webhooks/gogs`, { method: 'POST', body, headers: deliveryHeaders('gogs', body, SECRETS.GOGS_WEBHOOK_SECRET) });
      const { runId } = (await res.json()) as { runId: string };
      const run = await until(async () => {
        const now = await server.runs.get(runId);
        return now && isFinished(now) ? now : undefined;
      }, `run ${runId} to end`);
      expect(run.status).toBe('passed');
      expect(run.stages[0]).toMatchObject({ name: `teardown:${ephemeralEnvName('discounts', 'dev/feature-gone')}`, summary: expect.stringMatching(/already gone/) });
      expect(worker.out()).not.toContain('slipway listening');
      const port = /"port":(\d+)[^\n]*answering health and metrics/.exec(worker.out())?.[1];
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(await metrics.text()).toMatch(/^slipway_runs_total\{service="discounts",outcome="passed"\} 1$/m);
      expect((await fetch(`http://127.0.0.1:${port}/webhooks/github`, { method: 'POST', body: '{}' })).status).toBe(404);

      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
