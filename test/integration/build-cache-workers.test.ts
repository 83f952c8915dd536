import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { RedisLogStore } from '../../src/adapters/store/redis-log-store.js';
import { cacheTag } from '../../src/core/build-cache.js';
import { containerName, imageTag } from '../../src/core/naming.js';
import { isFinished, type Run } from '../../src/core/run.js';
import { type RemoteEngine, startRemoteEngine } from '../helpers/remote-engine.js';
import { stageStatus, until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { createSampleRepo, type SampleRepo } from '../helpers/sample-repo.js';
import { SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';

// Ports of this file (range 26400-26499).
const TCP = 26403;
const SSH = 26404;
const STAGING = 26430;

/**
 * The whole product on two worker hosts sharing one Redis and one registry: a push to main is built, pushed and
 * deployed by a slipway whose engine is the shared test engine; that worker host goes away, and the next push
 * is carried by a slipway on a second engine that has never built anything. Its test build takes the sample's
 * dependency step from the registry (the build output says so), and the run goes on to staging on that engine.
 */
const IMAGE = `127.0.0.1:5000/build-cache-workers-${process.pid}`;
const SERVICE = 'cacheflow';
const DEPENDENCY_STEP = 'RUN sleep 2 && cat /proc/sys/kernel/random/uuid > /deps/installed';
const DOCKERFILE = `FROM scratch AS deps
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY deps.txt /deps/deps.txt
${DEPENDENCY_STEP}

FROM deps AS base
COPY . /app

FROM base AS lint
RUN sh /app/lint.sh

FROM base AS test
RUN sh /app/run-tests.sh

FROM scratch AS app
COPY --from=deps /bin /bin
COPY --from=deps /deps /deps
COPY --from=base /app /app
CMD ["sh", "-c", "httpd -f -p 127.0.0.1:\${PORT} -h /app/www & trap 'kill $!; exit 0' TERM; wait"]
`;

let dir: string;
let remote: RemoteEngine;
let repo: SampleRepo;
let first: TestSlipway | undefined;
let second: TestSlipway | undefined;
/** The first slipway's Redis, which the second shares: stopped last. */
let redis: TestSlipway['redisServer'] | undefined;
const shared = dockerClient(process.env.DOCKER_HOST);

const config = (repoUrl: string) => sampleConfig({ service: SERVICE, repoUrl, lintTarget: 'lint', tests: true, image: IMAGE, staging: { port: STAGING, healthTimeoutSeconds: 30 } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-cache-workers-'));
  remote = await startRemoteEngine(join(dir, 'engine'), { tcp: TCP, ssh: SSH });
  repo = await createSampleRepo();
  await repo.commit({ Dockerfile: DOCKERFILE, 'deps.txt': `dependencies ${randomUUID()}\n` }, 'A deps stage');
}, 120_000);

afterAll(async () => {
  await second?.stop();
  await first?.stop();
  await redis?.stop();
  await shared.getContainer(containerName(SERVICE, 'staging')).remove({ force: true }).catch(() => undefined);
  for (const image of await shared.listImages({ filters: { reference: [IMAGE] } })) {
    await shared.getImage(image.Id).remove({ force: true }).catch(() => undefined);
  }
  await remote?.stop();
  await repo?.remove();
  await rm(dir, { recursive: true, force: true });
});

/** Waits for the run to end; a run that did not pass says where it failed. */
async function passed(slipway: TestSlipway, runId: string): Promise<Run> {
  const run = await until(async () => {
    const r = await slipway.runs.get(runId);
    return r && isFinished(r) ? r : undefined;
  }, `run ${runId} to end`, 240_000);
  if (run.status !== 'passed') throw new Error(`run ${runId} ended ${run.status}: ${JSON.stringify(run.failure)} ${JSON.stringify(stageStatus(run))}`);
  return run;
}

/** What a stage's build output says right after the dependency step. */
async function afterDependencyStep(slipway: TestSlipway, runId: string, stage: string): Promise<string[]> {
  const lines = await new RedisLogStore(slipway.redis).read(runId, stage);
  return lines.flatMap((line, i) => (line.includes(DEPENDENCY_STEP) ? [lines[i + 1]?.trim() ?? '(end of output)'] : []));
}

describe('a second worker host with an empty engine', () => {
  it('builds the next commit of main with the dependency layers from the registry, and deploys it', async () => {
    // Arrange: the first worker host builds main, pushes it and its cache image, and goes away.
    first = await startTestSlipway({ config: config(repo.url), mode: 'all' });
    await repo.connect(`${first.url}/webhooks/gogs`, SECRETS.GOGS_WEBHOOK_SECRET);
    const one = await repo.push('main');
    const firstRun = await passed(first, one.runId!);
    expect(await afterDependencyStep(first, firstRun.id, 'validate')).toEqual([expect.stringMatching(/^---> Running in /)]);
    redis = first.redisServer;
    await first.stop({ keepRedis: true });
    first = undefined;
    await shared.getContainer(containerName(SERVICE, 'staging')).remove({ force: true });
    const empty = dockerClient(remote.socket);
    expect(await empty.listImages({ all: true })).toEqual([]);

    // Act: the next push, on the other host.
    second = await startTestSlipway({ config: config(repo.url), mode: 'all', sharedRedis: redis, env: { DOCKER_HOST: remote.socket } });
    await repo.connect(`${second.url}/webhooks/gogs`, SECRETS.GOGS_WEBHOOK_SECRET);
    const sha = await repo.commit({ 'www/version': 'two\n' }, 'Version two');
    const two = await repo.push('main');
    const secondRun = await passed(second, two.runId!);

    // Assert
    // Every build of the run: lint (the first, which pulls), test and release.
    for (const stage of ['validate', 'test', 'build']) expect(await afterDependencyStep(second, secondRun.id, stage)).toEqual(['---> Using cache']);
    // The engine pulled the first build's cache image and release from the registry; the new release runs on it.
    const events = await empty.getEvents({ since: 0, until: Math.ceil(Date.now() / 1000), filters: { type: ['image'], event: ['pull'] } });
    let text = '';
    for await (const chunk of events) text += String(chunk);
    const pulled = text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { id: string }).id);
    const previous = imageTag('main', firstRun.sha);
    expect(pulled).toEqual(expect.arrayContaining([`${IMAGE}:${cacheTag(previous)}`, `${IMAGE}:${previous}`]));
    const running = await empty.getContainer(containerName(SERVICE, 'staging')).inspect();
    expect(running.Config.Image).toContain(IMAGE);
    expect(await (await fetch(`http://127.0.0.1:${STAGING}/version`)).text()).toBe('two\n');
    expect(secondRun.sha).toBe(sha);
  }, 400_000);
});
