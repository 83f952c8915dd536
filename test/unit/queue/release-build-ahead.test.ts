import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { RunJobData } from '../../../src/core/jobs.js';
import type { DeployTarget, HostReleases, ImageBuild, ImageBuildResult, ImageEngine, ImageSource, ImageTagger, SourceCheckout } from '../../../src/core/ports.js';
import { createRunProcessor, type RunProcessorDeps } from '../../../src/queue/run-processor.js';
import { memoryPorts } from '../../memory/memory-ports.js';
import { aRun, NOW, recordingLog, SERVICES as BASE_SERVICES, SIGNING_KEY } from './queue-fixtures.js';

/** The fixtures' service, with a test target, and no build cache (its images are not what these tests are about). */
const SERVICES = BASE_SERVICES.map((s) => ({ ...s, testTarget: 'test', buildCache: false }));
const RELEASE_IMAGE = '127.0.0.1:5000/discounts:main-c0ffee0';

type Pending = { request: ImageBuild; finish(result: ImageBuildResult): void; fail(error: Error): void };

/** An engine whose builds end when the test says so; anything else it is asked for fails the test. */
function heldEngine() {
  const builds: Pending[] = [];
  const discarded: ImageSource[] = [];
  let waiting: (() => void) | undefined;
  const engine = {
    build: (request: ImageBuild) =>
      new Promise<ImageBuildResult>((finish, fail) => {
        builds.push({ request, finish, fail });
        waiting?.();
      }),
    readFiles: async () => [],
    discard: async (what: ImageSource) => void discarded.push(what),
    tag: async () => {
      throw new Error('tag was not expected: buildCache is off');
    },
  } as unknown as ImageEngine;
  /** Resolves once `count` builds have been asked for. */
  const started = (count: number) =>
    new Promise<void>((done) => {
      const check = () => (builds.length >= count ? done() : (waiting = check));
      check();
    });
  return { engine, builds, discarded, started };
}

function setup() {
  const ports = memoryPorts({ now: () => NOW.getTime() });
  const { log } = recordingLog();
  const held = heldEngine();
  const source: SourceCheckout = {
    sourceDir: async () => '/src/discounts',
    commitsBehind: async () => 0,
    commitsSince: async () => [],
    pushTag: async () => 'created',
    isAncestorOf: async () => false,
    remove: async () => {},
  };
  const deps: RunProcessorDeps = {
    ...ports,
    images: held.engine,
    targets: () => ({}) as DeployTarget,
    secrets: async () => ({ ok: true, values: {} }),
    synthetics: {},
    releasing: { hosts: {} as HostReleases, images: {} as ImageTagger },
    signingKey: SIGNING_KEY,
    services: SERVICES,
    gate: { ...ports, services: SERVICES, log, now: () => NOW, signingKey: SIGNING_KEY },
    checkout: () => source,
    log,
    env: {},
    scrub: (text) => text,
    now: () => NOW,
  };
  return { ports, held, process: createRunProcessor(deps) };
}

const job = (runId: string) => ({ data: { runId }, updateData: async () => {} }) as unknown as Job<RunJobData>;

/** run-1 (its tests, then its build) in the processor, once both its builds were asked of the engine. */
async function bothBuildsAskedFor() {
  const { ports, held, process } = setup();
  await ports.runs.create(aRun('run-1', ['test', 'build']));
  const done = process(job('run-1'));
  await held.started(2);
  return { ports, held, done };
}

describe('the release build, started beside the tests', () => {
  it('is asked of the engine while the tests still build, and the build stage takes it rather than building again', async () => {
    const { ports, held, done } = await bothBuildsAskedFor();
    expect(held.builds.map((b) => [b.request.target, b.request.tag])).toEqual([
      [undefined, RELEASE_IMAGE],
      ['test', 'slipway-test/discounts:run-1'],
    ]);
    expect(held.builds[0]?.request.labels).toMatchObject({ 'slipway.run': 'run-1', 'slipway.sha': 'c0ffee'.padEnd(40, '0') });
    held.builds[1]?.finish({ ok: true });
    held.builds[0]?.finish({ ok: true });
    await done;

    const run = await ports.runs.get('run-1');
    expect(run?.stages.map((s) => [s.name, s.status])).toEqual([['test', 'passed'], ['build', 'passed']]);
    expect(held.builds).toHaveLength(2);
    // Only the test image goes (buildCache is off); the release stays for the push.
    expect(held.discarded).toEqual([{ image: 'slipway-test/discounts:run-1' }]);
  });

  it('is discarded, and said so in the build log, when the tests fail: nothing of it is kept', async () => {
    const { ports, held, done } = await bothBuildsAskedFor();
    held.builds[1]?.finish({ ok: false, error: 'RUN sh run-tests.sh: exit code 1' });
    // The run's failure is saved before the release build ends: nobody waits on it to hear of the failure.
    await expect.poll(async () => (await ports.runs.get('run-1'))?.status).toBe('failed');
    expect(held.discarded).toEqual([]);
    held.builds[0]?.finish({ ok: true });
    await done;

    expect(held.discarded).toEqual([{ image: RELEASE_IMAGE }]);
    expect((await ports.logs.read('run-1', 'build')).join('\n')).toContain(`${RELEASE_IMAGE}, built beside the tests, is discarded`);
  });

  it('leaves no container behind when it fails itself after tests that failed', async () => {
    const { held, done } = await bothBuildsAskedFor();
    held.builds[1]?.finish({ ok: false, error: 'tests failed' });
    held.builds[0]?.finish({ ok: false, error: 'COPY failed', failedContainerId: 'abc123' });
    await done;

    expect(held.discarded).toEqual([{ container: 'abc123' }]);
  });

  it('fails the build stage with what the engine said when the release build fails beside passing tests', async () => {
    const { ports, held, done } = await bothBuildsAskedFor();
    held.builds[0]?.finish({ ok: false, error: 'COPY failed: no such file dist/' });
    held.builds[1]?.finish({ ok: true });
    await done;

    const run = await ports.runs.get('run-1');
    expect(run?.failure).toMatchObject({ stage: 'build', cause: 'build failed: COPY failed: no such file dist/' });
    expect(held.builds).toHaveLength(2);
  });

  it('is built again in the build stage when it threw (Redis or the engine away for a moment), and that one counts', async () => {
    const { ports, held, done } = await bothBuildsAskedFor();
    held.builds[0]?.fail(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    held.builds[1]?.finish({ ok: true });
    await held.started(3);
    expect(held.builds[2]?.request.tag).toBe(RELEASE_IMAGE);
    held.builds[2]?.finish({ ok: true });
    await done;

    expect((await ports.runs.get('run-1'))?.status).toBe('passed');
  });

  it("fails the build stage with the engine's error, and its hint, when the build again throws too", async () => {
    const { ports, held, done } = await bothBuildsAskedFor();
    held.builds[0]?.fail(new Error('connect ENOENT /var/run/docker.sock'));
    held.builds[1]?.finish({ ok: true });
    await held.started(3);
    held.builds[2]?.fail(new Error('connect ENOENT /var/run/docker.sock'));
    await done;

    const run = await ports.runs.get('run-1');
    expect(run?.failure?.stage).toBe('build');
    expect(run?.failure?.cause).toMatch(/^the Docker engine is unreachable \(connect ENOENT \/var\/run\/docker.sock\)/);
  });

  it('is not started while another run of the worker is building: the engine has no room for it', async () => {
    const { ports, held, process } = setup();
    await ports.runs.create(aRun('run-1', ['test', 'build']));
    await ports.runs.create({ ...aRun('run-2', ['test', 'build']), sha: 'beef'.padEnd(40, '0') });

    const first = process(job('run-1'));
    await held.started(2);
    const second = process(job('run-2'));
    await held.started(3);
    expect(held.builds.map((b) => b.request.tag)).toEqual([RELEASE_IMAGE, 'slipway-test/discounts:run-1', 'slipway-test/discounts:run-2']);
    for (const build of held.builds.slice(0, 3)) build.finish({ ok: true });
    await first;
    // run-2's release is built in its build stage, after its tests.
    await held.started(4);
    expect(held.builds[3]?.request.tag).toBe('127.0.0.1:5000/discounts:main-beef000');
    held.builds[3]?.finish({ ok: true });
    await second;

    expect((await ports.runs.get('run-2'))?.status).toBe('passed');
    expect(held.builds).toHaveLength(4);
  });

  it('is not started without a test stage: the build stage builds, once', async () => {
    const { ports, held, process } = setup();
    await ports.runs.create(aRun('run-1', ['build']));

    const done = process(job('run-1'));
    await held.started(1);
    expect(held.builds.map((b) => b.request.tag)).toEqual([RELEASE_IMAGE]);
    held.builds[0]?.finish({ ok: true });
    await done;

    expect((await ports.runs.get('run-1'))?.status).toBe('passed');
    expect(held.builds).toHaveLength(1);
  });
});
