import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve('.');

/**
 * The image itself cannot be built here (no base image can be pulled; see the README), so this repeats the
 * Dockerfile's steps on this machine: production dependencies only (`npm ci --omit=dev`, from npm's cache, no
 * network), the built dist/, the files the runtime stage copies, then the image's CMD and its HEALTHCHECK.
 * It catches what a broken image would show: a runtime import of a dev dependency, a missing file, a health
 * check that cannot tell a live slipway from a dead one.
 */
describe('the runtime image, assembled as the Dockerfile assembles it', () => {
  let dockerfile: string;
  let app: string;

  beforeAll(async () => {
    dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    app = await mkdtemp(join(tmpdir(), 'slipway-image-'));
    for (const file of ['package.json', 'package-lock.json']) await cp(join(ROOT, file), join(app, file));
    await run('npm', ['ci', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, env: { ...process.env, npm_config_loglevel: 'error' } });
    for (const path of ['dist', 'examples', 'manifest.yml']) await cp(join(ROOT, path), join(app, path), { recursive: true });
  }, 180_000);

  afterAll(async () => {
    if (app) await rm(app, { recursive: true, force: true });
  });

  it('copies into the runtime stage exactly what this test assembles', () => {
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    const copied = [...runtime.matchAll(/^COPY (?:--from=build \/app\/)?(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/)).sort();
    expect(copied).toEqual(['dist', 'examples', 'manifest.yml', 'node_modules', 'package.json']);
  });

  it('starts on production dependencies alone and passes its own HEALTHCHECK, which fails once it is gone', async () => {
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile.slice(dockerfile.indexOf('AS runtime')))![1]!) as string[];
    const healthcheck = JSON.parse(/^\s+CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect(cmd[0]).toBe('node');
    expect(healthcheck[0]).toBe('node');

    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const { REDIS_URL: _r, SLIPWAY_CONFIG: _c, SLACK_BOT_TOKEN: _s, ...inherited } = process.env;
    const env = { ...inherited, NODE_ENV: 'production', PORT: port, LOG_LEVEL: 'info' };
    const slipway = spawn(process.execPath, cmd.slice(1), { cwd: app, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    slipway.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((r) => slipway.once('exit', r));
    const check = () => run(process.execPath, healthcheck.slice(1), { env }).then(() => 0, (e: { code?: number }) => e.code ?? -1);
    try {
      const deadline = Date.now() + 30_000;
      while (!log.includes('slipway listening')) {
        if (slipway.exitCode !== null || Date.now() > deadline) throw new Error(`slipway did not start:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await check()).toBe(0);
    } finally {
      slipway.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(log).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find package/);
    expect(await check()).toBe(1);
  }, 60_000);
});
