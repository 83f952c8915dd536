import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { until } from '../helpers/run-watch.js';
import { buildSlipwayImage, dockerfileBase, ensureNodeBase, type ImageRecord, inspectImage } from '../helpers/slipway-image.js';

const run = promisify(execFile);
const TAG = 'slipway-test/slipway:image-test';
const CONTAINER = `slipway-image-test-${process.pid}`;
const SERVER_PORT = 27310;
const WORKER_PORT = 27311;
const REDIS_PORT = 27301;
const UNUSED_PORT = 27399;
const SOCKET = (process.env.DOCKER_HOST ?? '').replace(/^unix:\/\//, '');
const log = (line: string) => console.error(`image: ${line}`);
const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as { services: Record<string, { command: string[] }> };

/**
 * slipway's image, built from the Dockerfile as it is and run as docker-compose.yml runs it (`server` and `worker`
 * with compose's commands, as the image's user), against the real Redis, Docker engine and registry credentials, until `/readyz`
 * answers ready and the engine calls each container healthy by the image's own HEALTHCHECK. The official Node base cannot be pulled here: a stand-in
 * under its name is made from this machine's Debian mirror and Node (test/helpers/slipway-image.ts), so this
 * runs the image on Node 20. The first run builds everything (minutes); later ones reuse the engine's cache.
 */
describe("slipway's image, built and run", () => {
  let image: ImageRecord;
  let dir: string;
  let redis: EmbeddedRedis;

  beforeAll(async () => {
    expect(SOCKET, 'DOCKER_HOST must be a unix socket here (the container gets it mounted)').toMatch(/^\//);
    await ensureNodeBase(await dockerfileBase(), log);
    await buildSlipwayImage(TAG, log);
    image = await inspectImage(TAG);
    dir = await mkdtemp(join(tmpdir(), 'slipway-image-'));
    redis = await startEmbeddedRedis(join(dir, 'redis'), { port: REDIS_PORT });
  }, 30 * 60_000);

  afterAll(async () => {
    await run('docker', ['rm', '--force', `${CONTAINER}-server`, `${CONTAINER}-worker`]).catch(() => undefined);
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs as a non-root user, with a HEALTHCHECK on /healthz and slipway as its command', () => {
    expect(image.Config.User).toBe('node');
    expect(image.Config.Cmd).toEqual(['node', 'dist/src/main.js']);
    const test = image.Config.Healthcheck?.Test ?? [];
    expect(test[0]).toBe('CMD');
    expect(test.join(' ')).toContain('/healthz');
  });

  it('starts as compose starts it, a server and a worker, until /readyz answers ready and the engine calls them healthy', async () => {
    // The registry credentials as an operator mounts them: a copy the image's node user (uid 1000) can read.
    const dockerConfig = join(dir, 'docker-config');
    await mkdir(dockerConfig, { recursive: true });
    if (process.env.DOCKER_CONFIG) await copyFile(join(process.env.DOCKER_CONFIG, 'config.json'), join(dockerConfig, 'config.json')).catch(() => undefined);
    await chown(dockerConfig, 1000, 1000);
    await chmod(dockerConfig, 0o700);
    const socketGroup = (await stat(SOCKET)).gid;
    const signingKey = randomBytes(32).toString('hex');

    const start = (mode: 'server' | 'worker', port: number) =>
      run('docker', [
        'run', '--detach', '--name', `${CONTAINER}-${mode}`, '--network', 'host',
        '--volume', `${SOCKET}:/var/run/docker.sock`, '--group-add', String(socketGroup),
        '--volume', `${dockerConfig}:/app/docker-config:ro`,
        '--env', `PORT=${port}`, '--env', `REDIS_URL=${redis.url}`, '--env', 'DOCKER_HOST=unix:///var/run/docker.sock',
        '--env', 'DOCKER_CONFIG=/app/docker-config', '--env', 'LOG_LEVEL=info',
        // The server is given a signing key; the worker makes one in its data dir, which must be its user's.
        ...(mode === 'server' ? ['--env', `SLIPWAY_SIGNING_KEY=${signingKey}`] : []),
        TAG, ...compose.services[mode]!.command,
      ]);
    await Promise.all([start('server', SERVER_PORT), start('worker', WORKER_PORT)]);

    const logs = async (name: string) => (await run('docker', ['logs', '--tail', '40', name]).then((r) => r.stdout + r.stderr, (e: Error) => e.message));
    const state = async (name: string, field: string) => (await run('docker', ['inspect', '--format', `{{${field}}}`, name])).stdout.trim();
    const readyz = (name: string, port: number) =>
      until(async () => {
        if ((await state(name, '.State.Status')) === 'exited') throw new Error(`${name} exited before /readyz answered ready:\n${await logs(name)}`);
        const answer = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        return answer?.status === 200 ? ((await answer.json()) as unknown) : undefined;
      }, `/readyz of ${name} to answer 200`, 180_000, 500).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await logs(name)}`);
      });
    const healthy = (name: string) =>
      // The image's HEALTHCHECK, run by the engine on the image's own interval (30 s).
      until(async () => {
        const health = await state(name, '.State.Health.Status');
        if (health === 'unhealthy') throw new Error(`the engine found ${name} unhealthy:\n${await logs(name)}`);
        return health === 'healthy' ? health : undefined;
      }, `the engine to call ${name} healthy by the image HEALTHCHECK`, 180_000, 1_000);

    // The worker's readiness asks the engine too (through the mounted socket); the server's only Redis.
    expect(await readyz(`${CONTAINER}-worker`, WORKER_PORT)).toEqual({ status: 'ready', checks: { redis: 'ok', docker: 'ok' } });
    expect(await readyz(`${CONTAINER}-server`, SERVER_PORT)).toEqual({ status: 'ready', checks: { redis: 'ok' } });
    for (const mode of ['server', 'worker']) {
      const name = `${CONTAINER}-${mode}`;
      expect((await run('docker', ['exec', name, 'id', '-u'])).stdout.trim()).toBe('1000');
      expect(await healthy(name)).toBe('healthy');
      expect(await logs(name)).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find package|EACCES/);
    }
    expect((await run('docker', ['exec', `${CONTAINER}-worker`, 'stat', '-c', '%U %a', '/app/.slipway/signing.key'])).stdout.trim()).toBe('node 600');
  }, 8 * 60_000);

  it('has a health check that fails where no slipway answers', async () => {
    const test = image.Config.Healthcheck!.Test!;
    const check = run('docker', ['run', '--rm', '--network', 'host', '--env', `PORT=${UNUSED_PORT}`, TAG, ...test.slice(1)]);
    await expect(check).rejects.toMatchObject({ code: 1 });
  }, 120_000);
});
