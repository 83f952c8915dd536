import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { RedisDeploymentStore } from '../../src/adapters/store/redis-deployment-store.js';
import type { Run } from '../../src/core/run.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { removeContainersOf } from '../helpers/containers.js';
import { RunWatch, served, until } from '../helpers/run-watch.js';
import { dockerConfigWithAlias } from '../helpers/registry-credentials.js';
import { createSampleRepo, type SampleRepo } from '../helpers/sample-repo.js';
import { portOf, slowRegistry } from '../helpers/slow-registry.js';
import { SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';
import { WorkerProcess } from '../helpers/worker-processes.js';

// What must hold when a worker process is SIGKILLed mid-run: the run is taken up by another worker and
// finishes, or ends failed saying why — never stuck "running"; no deployment done twice, no lease left behind,
// the engine running what Redis says, one Slack message per run.
const TOKEN = 'xoxb-faults-kill';
const PORT = 18895;
const STALLED_SECONDS = '3';
const SLOW_PUSH_PORT = 18894;
const config = (repoUrl: string, slowRepoUrl: string, registryProxy: number) => `
services:
  killed:
    repo: ${repoUrl}
    testTarget: test
    buildTarget: app
    image: 127.0.0.1:5000/slipway-faults-killed
    network: host
    channel: "#killed"
    environments:
      - { name: staging, port: ${PORT}, healthTimeoutSeconds: 8 }
  slowpush:
    repo: ${slowRepoUrl}
    buildTarget: app
    image: 127.0.0.1:${registryProxy}/slipway-faults-slowpush-${Date.now()}
    network: host
    channel: "#killed"
    environments:
      - { name: staging, port: ${SLOW_PUSH_PORT}, healthTimeoutSeconds: 8 }
`;

let repo: SampleRepo;
let slowRepo: SampleRepo;
let registryProxy: Server;
/** The registry's credentials also under the proxy's address: the engine sends those of the address it pushes to. */
let proxyDockerConfig: string;
let slack: FakeSlack;
let server: TestSlipway;
let dir: string;
const workers: WorkerProcess[] = [];
const watch = new RunWatch(() => server, () => slack);

function startWorker(): WorkerProcess {
  const worker = new WorkerProcess({
    PORT: '0',
    REDIS_URL: server.redisServer.url,
    SLIPWAY_CONFIG: join(dir, 'slipway.yml'),
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: 'unused-by-a-worker',
    SLACK_API_URL: slack.url,
    SLIPWAY_STALLED_SECONDS: STALLED_SECONDS,
    DOCKER_CONFIG: proxyDockerConfig,
  });
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  repo = await createSampleRepo();
  slowRepo = await createSampleRepo();
  registryProxy = await slowRegistry();
  proxyDockerConfig = await dockerConfigWithAlias(`127.0.0.1:${portOf(registryProxy)}`);
  const text = config(repo.url, slowRepo.url, portOf(registryProxy));
  slack = new FakeSlack({ token: TOKEN });
  await slack.start();
  dir = await mkdtemp(join(tmpdir(), 'slipway-kill-'));
  await writeFile(join(dir, 'slipway.yml'), text);
  server = await startTestSlipway({
    config: text,
    env: { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'faults-kill-signing', SLACK_API_URL: slack.url, SLIPWAY_STALLED_SECONDS: STALLED_SECONDS },
    mode: 'server',
  });
  await repo.connect(`${server.url}/webhooks/gogs`, SECRETS.GOGS_WEBHOOK_SECRET);
  await slowRepo.connect(`${server.url}/webhooks/gogs`, SECRETS.GOGS_WEBHOOK_SECRET);
}, 60_000);

afterAll(async () => {
  for (const w of workers) await w.kill();
  await server?.stop();
  await slack?.stop();
  await removeContainersOf('killed');
  await removeContainersOf('slowpush');
  await new Promise((r) => registryProxy?.close(r));
  await repo?.remove();
  await slowRepo?.remove();
  await rm(dir, { recursive: true, force: true });
  if (proxyDockerConfig) await rm(proxyDockerConfig, { recursive: true, force: true });
});

afterEach(async () => {
  for (const w of workers.splice(0)) await w.kill();
  expect(slack.unexpected).toEqual([]);
});

async function push(files: Record<string, string>, message: string, remove: string[] = []): Promise<string> {
  await repo.commit(files, message, { remove });
  const { runId } = await repo.push('main');
  if (!runId) throw new Error('the push started no run');
  return runId;
}

/** Waits until the run's `stage` is running (its `n`-th start when it was run again). */
const stageRunning = (runId: string, stage: string, after = '') =>
  until(async () => {
    const run = await server.runs.get(runId);
    const s = run?.stages.find((x) => x.name === stage);
    return s?.status === 'running' && (s.startedAt ?? '') > after ? s.startedAt : undefined;
  }, `${stage} of ${runId} to run`, 60_000);

const ended = (runId: string) =>
  until(async () => {
    const run = await server.runs.get(runId);
    return run && ['passed', 'failed'].includes(run.status) ? run : undefined;
  }, `run ${runId} to end`, 90_000);

async function afterwards(run: Run) {
  expect(run.stages.some((s) => s.status === 'running')).toBe(false);
  expect(await server.redis.keys('slipway:lease:*')).toEqual([]);
  const containers = await dockerClient(process.env.DOCKER_HOST).listContainers({ filters: { label: [`slipway.service=${run.service}`] } });
  expect(containers).toHaveLength(1); // the engine runs one container for staging, whatever happened
  const posts = watch.topLevelPosts(run.id);
  expect(posts).toHaveLength(1);
}

describe('a worker killed mid-run', { timeout: 240_000 }, () => {
  it('is taken up by another worker when killed during the tests: the run finishes and deploys once', async () => {
    startWorker();
    const runId = await push({ 'www/version': 'k1\n', slow: '5\n' }, 'Version k1 with slow tests');
    await stageRunning(runId, 'test');
    await workers[0]!.kill();
    startWorker();
    const run = await ended(runId);
    expect(run.status).toBe('passed');
    expect(await served(PORT)).toBe('k1');
    const history = await new RedisDeploymentStore(server.redis).history('killed', 'staging', 50);
    expect(history.filter((d) => d.runId === runId)).toHaveLength(1);
    await watch.settled(runId, { status: 'passed' });
    await afterwards(run);
  });

  it('is taken up by another worker when killed during the push to the registry: the same image is pushed and deployed', async () => {
    startWorker();
    await slowRepo.commit({ 'www/version': 'p1\n' }, 'Version p1');
    const { runId } = await slowRepo.push('main');
    await stageRunning(runId!, 'push');
    await workers[0]!.kill();
    startWorker();
    const run = await ended(runId!);
    expect(run.status).toBe('passed');
    expect(run.stages.find((s) => s.name === 'push')?.status).toBe('passed');
    expect(await served(SLOW_PUSH_PORT)).toBe('p1');
    const history = await new RedisDeploymentStore(server.redis).history('slowpush', 'staging', 50);
    expect(history.filter((d) => d.runId === runId)).toHaveLength(1);
    expect(history[0]?.release.digest).toBe(run.release?.digest);
    await watch.settled(runId!, { status: 'passed' });
    await afterwards(run);
  });

  it('ends failed with a clear cause when killed during a deploy that then never gets healthy, keeping the old release', async () => {
    startWorker();
    const runId = await push({ 'www/version': 'k2\n' }, 'Version k2 without a health page', ['www/healthz', 'slow']);
    await stageRunning(runId, 'deploy:staging');
    await workers[0]!.kill();
    startWorker();
    const run = await ended(runId);
    expect(run.status).toBe('failed');
    expect(run.failure?.stage).toBe('deploy:staging');
    expect(run.failure?.cause).toMatch(/staging stays on its previous release$/);
    expect(await served(PORT)).toBe('k1');
    await watch.settled(runId, { status: 'failed' });
    await afterwards(run);
  });

  it('fails the run, saying why, when its workers keep dying', async () => {
    startWorker();
    const runId = await push({ 'www/version': 'k3\n', 'www/healthz': 'ok\n', slow: '30\n' }, 'Version k3 with very slow tests');
    let started = await stageRunning(runId, 'test');
    for (let death = 0; death < 3; death += 1) {
      await workers.at(-1)!.kill();
      startWorker();
      if (death < 2) started = await stageRunning(runId, 'test', started);
    }
    const run = await ended(runId);
    expect(run.status).toBe('failed');
    expect(run.failure).toEqual({ stage: 'test', cause: 'the worker running it stopped mid-stage too many times (killed or out of memory); press Retry to run it again' });
    await watch.settled(runId, { status: 'failed' });
    expect(await served(PORT)).toBe('k1');
    expect(await server.redis.keys('slipway:lease:*')).toEqual([]);
  });
});
