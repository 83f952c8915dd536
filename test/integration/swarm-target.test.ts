import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import tarFs from 'tar-fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { registryAuth } from '../../src/adapters/docker/registry-auth.js';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { RedisLogStore } from '../../src/adapters/store/redis-log-store.js';
import { swarmTarget } from '../../src/adapters/docker/swarm/swarm-target.js';
import { httpHealthChecks } from '../../src/adapters/http/health-checks.js';
import type { EnvironmentSpec } from '../../src/core/environment-spec.js';
import type { DeployTarget, PlacedRelease } from '../../src/core/ports.js';
import { Runtime, SwarmTarget } from '../../src/core/target-schema.js';
import { type RemoteEngine, startRemoteEngine } from '../helpers/remote-engine.js';
import { served, until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

// Issue 17 §1 on a real one-node swarm: the second engine of test/helpers/remote-engine.ts is made a swarm
// manager (the shared engine of the other tests never is), and slipway drives it through the swarm adapter.
// Tasks use host networking (no iptables, so no routing mesh), so each service takes its port on loopback.
// The swarm's gossip port (7946) is fixed by Docker: this is the only test file that starts a swarm.
const PORTS = {
  tcp: 24001, // the engine's TLS API (unused here, but the helper opens it)
  ssh: 24002,
  swarm: 24010, // the manager's cluster port
  dataPath: 24011,
  app: 24020, // where the environment's tasks listen
};
const SERVICE = 'swarmt';
const IMAGE = '127.0.0.1:5000/slipway-swarm-test';
const run = promisify(execFile);

let dir: string;
let remote: RemoteEngine;
let swarm: Docker;
const digests: Record<'v1' | 'v2' | 'v3' | 'unhealthy', string> = { v1: '', v2: '', v3: '', unhealthy: '' };

/** The swarm settings of the tests: quick health checks and a short monitor period, stop-first on one node. */
const targetOf = (over: Record<string, unknown> = {}) =>
  SwarmTarget.parse({
    kind: 'swarm',
    host: remote.socket,
    update: { order: 'stop-first', monitorSeconds: 2 },
    healthCheck: { command: ['wget', '-qO-', `http://127.0.0.1:${PORTS.app}/healthz`], intervalSeconds: 1, timeoutSeconds: 1, retries: 2 },
    deployTimeoutSeconds: 90,
    ...over,
  });

const specOf = (environment: string, target = targetOf(), runtime: Partial<Runtime> = {}): EnvironmentSpec => ({
  service: SERVICE,
  environment,
  container: environment.startsWith(`${SERVICE}-`) ? environment : `${SERVICE}-${environment}`,
  port: PORTS.app,
  url: `http://127.0.0.1:${PORTS.app}`,
  healthPath: '/healthz',
  healthTimeoutSeconds: 20,
  network: 'host',
  runtime: Runtime.parse(runtime),
  target,
  strategy: 'recreate',
  drainSeconds: 0,
});

const targetFor = (spec: EnvironmentSpec) => swarmTarget(spec, { credentials: registryAuth, health: httpHealthChecks, pollMs: 250 });

let runs = 0;
const release = (version: keyof typeof digests, secrets: Record<string, string> = {}): PlacedRelease => ({
  image: `${IMAGE}@${digests[version]}`,
  tag: version,
  sha: `${version}`.padEnd(40, '0'),
  runId: `swarm-run-${++runs}`,
  secrets,
  print: `print-${version}`,
});

/** Places a release, keeping what it logged. */
async function place(target: DeployTarget, placed: PlacedRelease) {
  const lines: string[] = [];
  const started = Date.now();
  const result = await target.place(placed, async (...more) => void lines.push(...more));
  return { result, lines, seconds: (Date.now() - started) / 1000 };
}

const inspectService = (name: string) => swarm.getService(name).inspect();

/** The running task containers of a service, on the one node. */
async function taskContainers(name: string) {
  return swarm.listContainers({ filters: { label: [`com.docker.swarm.service.name=${name}`], status: ['running'] } });
}

async function secretsOf(environment: string) {
  return (await swarm.listSecrets({ filters: { label: [`slipway.service=${SERVICE}`, `slipway.environment=${environment}`] } })) as { ID: string; Spec: { Name: string } }[];
}

/** An image of the sample service's shape (busybox httpd), serving `version`; without /healthz when unhealthy. */
async function buildImage(version: string, healthy: boolean): Promise<string> {
  const context = join(dir, `image-${version}`);
  await mkdir(join(context, 'www'), { recursive: true });
  await copyFile('/bin/busybox', join(context, 'busybox'));
  await writeFile(join(context, 'www', 'version'), `${version}\n`);
  if (healthy) await writeFile(join(context, 'www', 'healthz'), 'ok\n');
  await writeFile(join(context, 'Dockerfile'), [
    'FROM scratch',
    'COPY busybox /bin/busybox',
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
    'COPY www /app/www',
    `CMD ["sh", "-c", "httpd -f -p 127.0.0.1:\${PORT} -h /app/www & trap 'kill $!; exit 0' TERM; wait"]`,
    '',
  ].join('\n'));
  const local = dockerClient(process.env.DOCKER_HOST);
  const built = await local.buildImage(tarFs.pack(context) as unknown as NodeJS.ReadableStream, { t: `${IMAGE}:${version}` });
  const output = await new Promise<{ error?: string }[]>((resolve, reject) => local.modem.followProgress(built, (err, res) => (err ? reject(err) : resolve(res))));
  const failed = output.find((line) => line.error);
  if (failed) throw new Error(`building ${version} failed: ${failed.error}`);
  const pushed = await local.getImage(`${IMAGE}:${version}`).push({ tag: version, authconfig: await registryAuth('127.0.0.1:5000') });
  const progress = await new Promise<{ aux?: { Digest?: string }; error?: string }[]>((resolve, reject) => local.modem.followProgress(pushed, (err, res) => (err ? reject(err) : resolve(res))));
  const digest = progress.find((line) => line.aux?.Digest)?.aux?.Digest;
  if (!digest) throw new Error(`pushing ${version} gave no digest: ${JSON.stringify(progress.filter((line) => line.error))}`);
  return digest;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-swarm-'));
  const engine = startRemoteEngine(join(dir, 'remote'), { tcp: PORTS.tcp, ssh: PORTS.ssh });
  engine.catch(() => undefined); // thrown where it is awaited
  for (const [version, healthy] of [['v1', true], ['v2', true], ['v3', true], ['unhealthy', false]] as const) digests[version] = await buildImage(version, healthy);
  remote = await engine;
  swarm = new Docker({ socketPath: new URL(remote.socket).pathname });
  await swarm.swarmInit({ ListenAddr: `127.0.0.1:${PORTS.swarm}`, AdvertiseAddr: `127.0.0.1:${PORTS.swarm}`, DataPathPort: PORTS.dataPath });
}, 180_000);

afterAll(async () => {
  // Leaving the swarm stops its tasks; the engine then stops cleanly.
  await swarm?.swarmLeave({ force: true }).catch(() => undefined);
  await remote?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

describe('a Docker Swarm service as a deploy target', { timeout: 180_000 }, () => {
  const target = () => targetFor(specOf('staging'));

  it('creates the service on the first deploy, then updates it to the next digest; /status counts its tasks', async () => {
    const first = await place(target(), release('v1'));
    expect(first.result, first.lines.join('\n')).toEqual({ ok: true });
    expect(first.lines).toContain(`creating the swarm service ${SERVICE}-staging (1 replicas)`);
    expect(first.lines).toContain('1/1 tasks updated');
    expect(await served(PORTS.app)).toBe('v1');
    const created = await inspectService(`${SERVICE}-staging`);
    expect(created.Spec.TaskTemplate.ContainerSpec.Image).toBe(`${IMAGE}@${digests.v1}`);
    expect(created.Spec.Labels).toMatchObject({ 'slipway.service': SERVICE, 'slipway.environment': 'staging', 'slipway.run': 'swarm-run-1' });
    expect(created.Spec.UpdateConfig).toMatchObject({ FailureAction: 'rollback', Order: 'stop-first', Monitor: 2e9 });
    const [network] = created.Spec.TaskTemplate.Networks ?? [];
    expect((await swarm.getNetwork(network!.Target).inspect()).Name).toBe('host');

    const second = await place(target(), release('v2'));
    expect(second.result, second.lines.join('\n')).toEqual({ ok: true });
    expect(second.lines[0]).toBe(`updating the swarm service ${SERVICE}-staging (1 replicas, stop-first, 1 at a time)`);
    expect(await served(PORTS.app)).toBe('v2');
    const updated = await inspectService(`${SERVICE}-staging`);
    expect(updated.ID).toBe(created.ID);
    expect(updated.UpdateStatus?.State).toBe('completed');
    expect(updated.Spec.TaskTemplate.ContainerSpec.Image).toBe(`${IMAGE}@${digests.v2}`);
    expect(updated.PreviousSpec?.TaskTemplate.ContainerSpec.Image).toBe(`${IMAGE}@${digests.v1}`);

    expect(await target().status()).toEqual({
      running: { image: `${IMAGE}@${digests.v2}`, runId: 'swarm-run-2', sha: 'v2'.padEnd(40, '0') },
      replicas: { ready: 1, desired: 1 },
      health: 'healthy',
    });
    expect(target().where).toBe(`swarm on ${remote.socket}`);
  });

  it('an image failing its health check: the swarm rolls back, slipway reports it naming the task error', async () => {
    const failed = await place(target(), release('unhealthy'));
    expect(failed.result.ok).toBe(false);
    const cause = (failed.result as { cause: string }).cause;
    console.info(`rolled back by the swarm after ${failed.seconds} s: ${cause}`);
    expect(cause).toMatch(new RegExp(`^the swarm rolled ${SERVICE}-staging back to the previous release: task [0-9a-z]{12}: .*(health|unhealthy)`));
    expect(await until(async () => (await served(PORTS.app).catch(() => undefined)) === 'v2' || undefined, 'v2 serving again', 60_000)).toBe(true);
    const service = await inspectService(`${SERVICE}-staging`);
    expect(service.UpdateStatus?.State).toBe('rollback_completed');
    expect(service.Spec.TaskTemplate.ContainerSpec.Image).toBe(`${IMAGE}@${digests.v2}`);
  });

  it('/rollback updates the service back to the previous digest, no rebuild', async () => {
    const back = await place(target(), release('v1'));
    expect(back.result, back.lines.join('\n')).toEqual({ ok: true });
    expect(await served(PORTS.app)).toBe('v1');
    expect((await inspectService(`${SERVICE}-staging`)).Spec.TaskTemplate.ContainerSpec.Image).toBe(`${IMAGE}@${digests.v1}`);
    // settle: the swarm keeps nothing aside, so a revert is the stage placing the previous release.
    expect(await target().settle('revert', async () => undefined)).toBe(false);
    expect(await target().settle('keep', async () => undefined)).toBe(true);
  });

  it('secrets are Docker secrets, one per value version, mounted as files; never in the spec; old versions go', async () => {
    const token = 'swarm-secret-token-7f3a9c';
    const placed = await place(target(), release('v2', { API_TOKEN: token }));
    expect(placed.result, placed.lines.join('\n')).toEqual({ ok: true });
    const service = await inspectService(`${SERVICE}-staging`);
    expect(JSON.stringify(service)).not.toContain(token);
    expect(service.Spec.TaskTemplate.ContainerSpec.Env).toContain('API_TOKEN_FILE=/run/secrets/API_TOKEN');
    expect(placed.lines.join('\n')).not.toContain(token);
    const [secret] = await secretsOf('staging');
    expect(secret?.Spec.Name).toMatch(new RegExp(`^${SERVICE}-staging_API_TOKEN_[0-9a-f]{12}$`));

    // In the task's container: a file, not a variable.
    const [container] = await taskContainers(`${SERVICE}-staging`);
    const inspected = await swarm.getContainer(container!.Id).inspect();
    expect(JSON.stringify(inspected.Config.Env)).not.toContain(token);
    const env = { ...process.env, DOCKER_HOST: remote.socket };
    expect((await run('docker', ['exec', container!.Id, 'cat', '/run/secrets/API_TOKEN'], { env })).stdout).toBe(token);

    // The same value again: the same secret. A new value: a new secret, and the one no spec refers to goes.
    await place(target(), release('v2', { API_TOKEN: token }));
    expect((await secretsOf('staging')).map((s) => s.ID)).toEqual([secret!.ID]);
    await place(target(), release('v2', { API_TOKEN: `${token}-rotated` }));
    await place(target(), release('v2', { API_TOKEN: `${token}-rotated` }));
    const now = await secretsOf('staging');
    expect(now).toHaveLength(1);
    expect(now[0]!.ID).not.toBe(secret!.ID);
  });

  it('a deploy never waits forever: after deployTimeoutSeconds slipway asks the swarm to roll back', async () => {
    // Health checks the swarm would take a minute to give up on: slipway's 6 s come first.
    const slow = targetFor(specOf('staging', targetOf({ deployTimeoutSeconds: 6, healthCheck: { command: ['wget', '-qO-', `http://127.0.0.1:${PORTS.app}/healthz`], intervalSeconds: 2, retries: 30 } })));
    const timedOut = await place(slow, release('unhealthy'));
    const cause = (timedOut.result as { cause?: string }).cause ?? '';
    console.info(`timed out and rolled back after ${timedOut.seconds} s: ${cause}`);
    expect(timedOut.result.ok).toBe(false);
    expect(cause).toMatch(new RegExp(`^${SERVICE}-staging was not updated within 6 s \\(deployTimeoutSeconds; 0 tasks updated\\).*: slipway asked the swarm to roll back, and it rolled it back to the previous release$`));
    expect(timedOut.seconds).toBeLessThan(6 + 60);
    expect(await until(async () => (await served(PORTS.app).catch(() => undefined)) === 'v2' || undefined, 'v2 serving again', 60_000)).toBe(true);
  });

  it('an ephemeral environment is a service <service>-<hash8>; teardown removes it and its secrets', async () => {
    await swarm.getService(`${SERVICE}-staging`).remove();
    const ephemeral = targetFor(specOf(`${SERVICE}-1a2b3c4d`));
    const placed = await place(ephemeral, release('v3', { API_TOKEN: 'ephemeral-secret-value' }));
    expect(placed.result, placed.lines.join('\n')).toEqual({ ok: true });
    expect(await served(PORTS.app)).toBe('v3');
    expect((await inspectService(`${SERVICE}-1a2b3c4d`)).Spec.Name).toBe(`${SERVICE}-1a2b3c4d`);
    expect(await secretsOf(`${SERVICE}-1a2b3c4d`)).toHaveLength(1);

    expect(await ephemeral.remove()).toBe(true);
    await expect(inspectService(`${SERVICE}-1a2b3c4d`)).rejects.toMatchObject({ statusCode: 404 });
    expect(await until(async () => ((await secretsOf(`${SERVICE}-1a2b3c4d`)).length === 0) || undefined, 'its secrets gone', 30_000)).toBe(true);
    expect(await ephemeral.remove()).toBe(false);
    expect(await until(async () => (await ephemeral.status()).health.startsWith('unreachable') || undefined, 'nothing answering', 30_000)).toBe(true);
  });
});

describe('a push deployed through the pipeline to kind: swarm', { timeout: 240_000 }, () => {
  const PIPE = { slipway: 24040, redis: 24041, staging: 24030 };
  let redis: EmbeddedRedis;
  const target = () => ({
    kind: 'swarm',
    host: remote.socket,
    update: { order: 'stop-first', monitorSeconds: 2 },
    healthCheck: { command: ['wget', '-qO-', `http://127.0.0.1:${PIPE.staging}/healthz`], intervalSeconds: 1, timeoutSeconds: 1, retries: 2 },
    deployTimeoutSeconds: 90,
  });

  beforeAll(async () => {
    redis = await startEmbeddedRedis(join(dir, 'redis'), { port: PIPE.redis });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const stack = useSlackStack({
    config: (repoUrl) =>
      sampleConfig({
        service: 'swarmpipe',
        repoUrl,
        image: 'slipway-e2e-swarm',
        channel: '#sample',
        staging: { port: PIPE.staging, healthTimeoutSeconds: 20, target: target() },
      }),
    env: { PORT: String(PIPE.slipway) },
    processEnv: process.env,
    redis: () => redis,
  });

  it('builds, pushes, and the deploy stage rolls the release out as a swarm service, progress in the stage log', async () => {
    await stack.repo.commit({ 'www/version': 's1\n' }, 'Version s1');
    const { runId } = await stack.repo.push('main');
    expect(runId).toBeDefined();
    const run = await stack.watch.settled(runId!, { status: 'passed' });
    expect(run.stages.find((s) => s.name === 'deploy:staging')).toMatchObject({ status: 'passed' });
    expect(await served(PIPE.staging)).toBe('s1');
    const service = await inspectService('swarmpipe-staging');
    expect(service.Spec.TaskTemplate.ContainerSpec.Image).toBe(`127.0.0.1:5000/slipway-e2e-swarm@${run.release?.digest}`);
    expect(service.Spec.TaskTemplate.ContainerSpec.Labels).toMatchObject({ 'slipway.run': runId, 'slipway.sha': run.sha });
    const log = (await new RedisLogStore(stack.slipway.redis).read(runId!, 'deploy:staging')).join('\n');
    expect(log).toContain(`(swarm on ${remote.socket}, recreate)`);
    expect(log).toContain('creating the swarm service swarmpipe-staging (1 replicas)');
    expect(log).toContain('1/1 tasks updated');
  });
});
