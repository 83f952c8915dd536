import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { dockerImageEngine } from '../../src/adapters/docker/docker-image-engine.js';
import { registryAuth } from '../../src/adapters/docker/registry-auth.js';
import type { ContainerRun } from '../../src/core/ports.js';
import { until } from '../helpers/run-watch.js';

// The containers integration tests run in (ImageEngine.run), on the real engine and registry.
const docker = dockerClient(process.env.DOCKER_HOST);
const images = dockerImageEngine(docker, (registry) => registryAuth(registry));
const TAG = `slipway-test/run-to-end:${process.pid}`;
const PUSHED = { image: '127.0.0.1:5000/slipway-test-run-to-end', tag: `t${process.pid}` };
let dir: string;

const request = (label: string, command: string, more: Partial<ContainerRun> = {}): ContainerRun => ({
  name: `slipway-test-run-to-end-${process.pid}-${label}`,
  image: TAG,
  command: ['sh', '-c', command],
  env: {},
  network: 'host',
  labels: { 'slipway.purpose': 'integration-tests', 'slipway.run': `run-to-end-${process.pid}-${label}` },
  timeoutMs: 60_000,
  ...more,
});

/** Containers left on the engine by one request, running or not. */
async function containersOf(label: string): Promise<number> {
  return (await docker.listContainers({ all: true, filters: { label: [`slipway.run=run-to-end-${process.pid}-${label}`] } })).length;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-run-to-end-'));
  await copyFile('/bin/busybox', join(dir, 'busybox'));
  await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n');
  const built = await images.build({ contextDir: dir, dockerfile: 'Dockerfile', tag: TAG });
  if (!built.ok) throw new Error(`the test image did not build: ${built.error}`);
}, 120_000);
afterAll(async () => {
  await images.discard({ image: TAG });
  await images.discard({ image: `${PUSHED.image}:${PUSHED.tag}` });
  await rm(dir, { recursive: true, force: true });
});

describe('running a container to its end on the build engine', { timeout: 120_000 }, () => {
  it('follows its output, answers its exit code and the files it left, and removes it', async () => {
    const lines: string[] = [];
    const result = await images.run(
      request('files', 'echo "url is $SLIPWAY_URL"; echo to stderr >&2; mkdir -p /reports; echo "<testsuites/>" > /reports/junit.xml; exit 3', {
        env: { SLIPWAY_URL: 'http://127.0.0.1:26190' },
        onLine: (line) => lines.push(line),
        files: ['/reports/junit.xml', '/reports/none.xml'],
      }),
    );

    expect(result).toEqual({ exitCode: 3, timedOut: false, aborted: false, files: ['<testsuites/>\n', undefined] });
    expect(lines).toEqual(expect.arrayContaining(['url is http://127.0.0.1:26190', 'to stderr']));
    expect(await containersOf('files')).toBe(0);
  });

  it('stops one that outlives its timeout, and removes it', async () => {
    const started = Date.now();
    const result = await images.run(request('timeout', 'echo started; sleep 60', { timeoutMs: 1_500 }));

    expect(result).toMatchObject({ exitCode: undefined, timedOut: true, aborted: false });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await containersOf('timeout')).toBe(0);
  });

  it('stops one at once when its run is cancelled (the signal aborts)', async () => {
    const controller = new AbortController();
    const result = images.run(
      request('abort', 'echo started; sleep 60', {
        signal: controller.signal,
        onLine: (line) => line === 'started' && controller.abort(),
      }),
    );

    await expect(result).resolves.toMatchObject({ exitCode: undefined, timedOut: false, aborted: true });
    expect(await containersOf('abort')).toBe(0);
  });

  it('removes a container a dead worker left under the same name before it starts another', async () => {
    const left = await docker.createContainer({ name: `slipway-test-run-to-end-${process.pid}-left`, Image: TAG, Cmd: ['sleep', '600'], Labels: { 'slipway.run': `run-to-end-${process.pid}-left` } });
    await left.start();

    const result = await images.run(request('left', 'echo again'));

    expect(result.exitCode).toBe(0);
    await expect(left.inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await containersOf('left')).toBe(0);
  });

  it('pulls an image reference it lacks from the registry, with the registry’s credentials', async () => {
    // An image of its own (a layer no other holds), gone from the engine once pushed: only the registry has it.
    await writeFile(join(dir, 'marker'), `${process.pid} ${Date.now()}\n`);
    await writeFile(join(dir, 'Dockerfile.pushed'), `FROM ${TAG}\nCOPY marker /marker\n`);
    const built = await images.build({ contextDir: dir, dockerfile: 'Dockerfile.pushed', tag: `${PUSHED.image}:${PUSHED.tag}` });
    expect(built.ok).toBe(true);
    const digest = await images.push(PUSHED.image, PUSHED.tag);
    const { Id } = await docker.getImage(`${PUSHED.image}:${PUSHED.tag}`).inspect();
    await docker.getImage(Id).remove({ force: true });
    const reference = `${PUSHED.image}@${digest}`;
    expect(await images.imageOrigin(reference, { pull: false })).toBe('absent');

    // Without the credentials the registry (htpasswd) refuses the pull, and the error says where from.
    const anonymous = dockerImageEngine(docker, async (registry) => ({ serveraddress: registry }));
    await expect(anonymous.run(request('anonymous', 'true', { image: reference }))).rejects.toThrow(/pulling .* from registry 127\.0\.0\.1:5000 on the build engine failed/);
    const result = await images.run(request('pulled', 'echo pulled', { image: reference }));

    expect(result.exitCode).toBe(0);
    expect(await images.imageOrigin(reference, { pull: false })).toBe('pulled');
    await until(async () => ((await containersOf('pulled')) === 0 ? true : undefined), 'the container to be removed');
    await images.discard({ image: reference });
  });
});
