import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { RedisDeploymentStore } from '../../src/adapters/store/redis-deployment-store.js';
import { imageTag } from '../../src/core/naming.js';
import type { Run } from '../../src/core/run.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { dockerConfigWithAlias } from '../helpers/registry-credentials.js';
import { type RemoteEngine, startRemoteEngine } from '../helpers/remote-engine.js';
import { RunWatch, served, until } from '../helpers/run-watch.js';
import { createSampleRepo, type SampleRepo } from '../helpers/sample-repo.js';
import { slowRegistry } from '../helpers/slow-registry.js';
import { SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';
import { WorkerProcess } from '../helpers/worker-processes.js';

// Issue 17 §3: slipway scaled out. One server, one Redis, one queue, and two `slipway worker` processes standing
// for two worker hosts, each building on its own Docker engine (the test engine, and a second one started here).
// Every environment names one target both workers reach (the second engine's socket), so wherever a run is
// built, it deploys to one place. Shown: runs are spread over both workers, and a worker SIGKILLed in the middle
// of a push loses nothing — the other worker carries the run to the end, once, with one Slack message.
const PORTS = {
  tcp: 24401, // the second engine's API over mutual TLS (startRemoteEngine serves it; unused here)
  ssh: 24402,
  slipway: 24405,
  redis: 24406,
  workers: [24407, 24408], // each worker's health and metrics
  slowRegistry: 24409,
  spread: [24410, 24411, 24412], // staging of each service of the spread test
  killed: 24413,
};
const TOKEN = 'xoxb-scale-out';
const STALLED_SECONDS = '3';
const STAMP = Date.now();
const SPREAD = ['scale-a', 'scale-b', 'scale-c'];
const KILLED = 'scale-killed';

const environment = (port: number, engine: string) => `
    environments:
      - { name: staging, port: ${port}, healthTimeoutSeconds: 20, target: { kind: docker, host: "${engine}" } }`;

const config = (repos: Record<string, string>, engine: string) => `
services:${SPREAD.map((name, i) => `
  ${name}:
    repo: ${repos[name]}
    testTarget: test
    buildTarget: app
    image: 127.0.0.1:5000/slipway-${name}-${STAMP}
    network: host
    channel: "#scale"${environment(PORTS.spread[i]!, engine)}`).join('')}
  ${KILLED}:
    repo: ${repos[KILLED]}
    buildTarget: app
    image: 127.0.0.1:${PORTS.slowRegistry}/slipway-${KILLED}-${STAMP}
    network: host
    channel: "#scale"${environment(PORTS.killed, engine)}
`;

let dir: string;
let remote: RemoteEngine;
let redis: EmbeddedRedis;
const repos: Record<string, SampleRepo> = {};
let registryProxy: Server;
/** DOCKER_CONFIG with the registry's credentials also under the slow proxy's address. */
let dockerConfig: string;
let slack: FakeSlack;
let server: TestSlipway;
const workers: WorkerProcess[] = [];
/** Each worker's engine, in the order of `workers`: the test engine, then the second one. */
let engines: { host: string; docker: Docker }[] = [];
const watch = new RunWatch(() => server, () => slack);

function startWorker(index: number): WorkerProcess {
  const worker = new WorkerProcess({
    PORT: String(PORTS.workers[index]),
    REDIS_URL: redis.url,
    SLIPWAY_CONFIG: join(dir, 'slipway.yml'),
    DOCKER_HOST: engines[index]!.host,
    DOCKER_CONFIG: dockerConfig,
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: 'unused-by-a-worker',
    SLACK_API_URL: slack.url,
    SLIPWAY_STALLED_SECONDS: STALLED_SECONDS,
  });
  workers[index] = worker;
  return worker;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-scale-out-'));
  // The second engine takes longest to start: the rest is set up meanwhile.
  const engine = startRemoteEngine(join(dir, 'engine-b'), { tcp: PORTS.tcp, ssh: PORTS.ssh });
  engine.catch(() => undefined); // its failure is thrown where it is awaited, not reported as unhandled first
  redis = await startEmbeddedRedis(join(dir, 'redis'), { port: PORTS.redis });
  for (const name of [...SPREAD, KILLED]) repos[name] = await createSampleRepo();
  registryProxy = await slowRegistry({ port: PORTS.slowRegistry, delayMs: 60 });
  dockerConfig = await dockerConfigWithAlias(`127.0.0.1:${PORTS.slowRegistry}`);
  slack = new FakeSlack({ token: TOKEN });
  await slack.start();
  remote = await engine;
  engines = [
    { host: process.env.DOCKER_HOST!, docker: dockerClient(process.env.DOCKER_HOST) },
    { host: remote.socket, docker: dockerClient(remote.socket) },
  ];
  const text = config(Object.fromEntries(Object.entries(repos).map(([name, repo]) => [name, repo.url])), remote.socket);
  await writeFile(join(dir, 'slipway.yml'), text);
  server = await startTestSlipway({
    config: text,
    env: { PORT: String(PORTS.slipway), SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'scale-out-signing', SLACK_API_URL: slack.url, SLIPWAY_STALLED_SECONDS: STALLED_SECONDS },
    mode: 'server',
    sharedRedis: redis,
  });
  for (const repo of Object.values(repos)) await repo.connect(`${server.url}/webhooks/gogs`, SECRETS.GOGS_WEBHOOK_SECRET);
  await Promise.all([startWorker(0).ready(), startWorker(1).ready()]);
}, 120_000);

afterAll(async () => {
  for (const worker of workers) await worker?.kill();
  await server?.stop();
  await slack?.stop();
  // The second engine stops its containers as it stops; the images built on the test engine go with their names.
  await remote?.stop();
  const local = dockerClient(process.env.DOCKER_HOST);
  for (const name of [...SPREAD, KILLED]) {
    const images = await local.listImages({ filters: { reference: [`*/slipway-${name}-${STAMP}`] } }).catch(() => []);
    await Promise.all(images.map((image) => local.getImage(image.Id).remove({ force: true }).catch(() => undefined)));
  }
  await redis?.stop();
  await new Promise((r) => (registryProxy ? registryProxy.close(r) : r(undefined)));
  for (const repo of Object.values(repos)) await repo.remove();
  await rm(dir, { recursive: true, force: true });
  if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
  expect(slack?.unexpected ?? []).toEqual([]);
}, 120_000);

async function push(service: string, files: Record<string, string>, message: string): Promise<string> {
  await repos[service]!.commit(files, message);
  const { runId } = await repos[service]!.push('main');
  if (!runId) throw new Error(`the push to ${service} started no run`);
  return runId;
}

const ended = (runId: string) =>
  until(async () => {
    const run = await server.runs.get(runId);
    return run && ['passed', 'failed'].includes(run.status) ? run : undefined;
  }, `run ${runId} to end`, 150_000);

/** Which engine has the run's image under its build tag: only the one it was built on (others pull by digest). */
async function builtOn(run: Run, image: string): Promise<number[]> {
  const tag = `${image}:${imageTag(run.branch, run.sha)}`;
  const has = await Promise.all(engines.map(({ docker }) => docker.getImage(tag).inspect().then(() => true, () => false)));
  return has.flatMap((yes, i) => (yes ? [i] : []));
}

/** What must hold after any run: deployed once, to the one target, shown once in Slack, nothing left held. */
async function deployedOnce(run: Run, port: number, version: string) {
  expect(run.stages.some((s) => s.status === 'running')).toBe(false);
  expect(await served(port)).toBe(version);
  const history = await new RedisDeploymentStore(server.redis).history(run.service, 'staging', 50);
  expect(history.filter((d) => d.runId === run.id)).toHaveLength(1);
  expect(history[0]?.release.digest).toBe(run.release?.digest);
  // Wherever it was built, it runs on the environment's target and nowhere else.
  const [onTarget, onTestEngine] = await Promise.all(
    [engines[1]!, engines[0]!].map(({ docker }) => docker.listContainers({ filters: { label: [`slipway.service=${run.service}`] } })),
  );
  expect(onTarget).toHaveLength(1);
  expect(onTestEngine).toHaveLength(0);
  await watch.settled(run.id, { status: 'passed' });
  expect(watch.topLevelPosts(run.id)).toHaveLength(1);
}

describe('two worker hosts on one queue', { timeout: 240_000 }, () => {
  it('spreads runs over both workers, each building on its own engine and deploying to the one target', async () => {
    // Each worker carries at most SLIPWAY_WORKER_CONCURRENCY (2) runs at once, and every run lasts far longer
    // (slow tests) than the three pushes take: three runs in flight cannot all be on one worker.
    const runIds: string[] = [];
    for (const name of SPREAD) runIds.push(await push(name, { 'www/version': `${name}-v2\n`, slow: '4\n' }, `${name} v2 with slow tests`));
    const runs = await Promise.all(runIds.map(ended));
    for (const [i, run] of runs.entries()) {
      expect({ service: run.service, status: run.status, failure: run.failure }).toEqual({ service: SPREAD[i], status: 'passed', failure: undefined });
    }

    const builders = runs.map((run) => workers.flatMap((w, i) => (w.started(run.id, 'build') ? [i] : [])));
    // Every run was built by exactly one worker, on that worker's engine (its image is tagged there only) …
    for (const [i, run] of runs.entries()) {
      expect(builders[i]).toHaveLength(1);
      expect(await builtOn(run, `127.0.0.1:5000/slipway-${run.service}-${STAMP}`)).toEqual(builders[i]);
    }
    // … and both workers built some.
    expect(new Set(builders.flat())).toEqual(new Set([0, 1]));
    for (const [i, run] of runs.entries()) await deployedOnce(run, PORTS.spread[i]!, `${SPREAD[i]}-v2`);
  });

  it('loses nothing when a worker is killed in the middle of a push: the other worker finishes the run, deploying it once', async () => {
    const runId = await push(KILLED, { 'www/version': 'k1\n' }, 'Version k1');
    // The run is on whichever worker took it: kill that one while its push crawls through the slow link.
    const carrier = await until(async () => {
      const run = await server.runs.get(runId);
      const pushing = run?.stages.find((s) => s.name === 'push')?.status === 'running';
      return pushing ? workers.find((w) => w.started(runId, 'push')) : undefined;
    }, `a worker to start pushing ${runId}`, 90_000);
    const survivor = workers.find((w) => w !== carrier)!;
    await carrier.kill();
    expect(await server.runs.get(runId).then((r) => r?.stages.find((s) => s.name === 'push')?.status)).toBe('running');

    const run = await ended(runId);
    expect({ status: run.status, failure: run.failure }).toEqual({ status: 'passed', failure: undefined });
    // The image was on the dead worker's engine: the survivor built it again on its own, then pushed it.
    expect(survivor.started(runId, 'build') && survivor.started(runId, 'push')).toBe(true);
    expect(run.stages.find((s) => s.name === 'push')?.status).toBe('passed');
    await deployedOnce(run, PORTS.killed, 'k1');
    expect(await server.redis.keys('slipway:lease:*')).toEqual([]);
  });
});
