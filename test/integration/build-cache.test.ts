import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { dockerImageEngine } from '../../src/adapters/docker/docker-image-engine.js';
import { registryAuth } from '../../src/adapters/docker/registry-auth.js';
import { cacheTag } from '../../src/core/build-cache.js';
import { type Built, cachedService, emptyEngine } from '../helpers/cached-service.js';
import { type RemoteEngine, startRemoteEngine } from '../helpers/remote-engine.js';
import { until } from '../helpers/run-watch.js';

// Ports of this file (range 26400-26499).
const TCP = 26401;
const SSH = 26402;

/**
 * The registry as the build cache across workers: the shared engine builds and pushes commit 1; a second engine
 * that has never built anything (another worker host) builds commit 2 of the same branch. The dependency step
 * (a slow RUN whose output is a fresh random id each time it runs) is reused from the registry's cache, or rebuilt
 * without it. The stages are slipway's own, on the real engines and registry (test/helpers/cached-service.ts).
 */
const REGISTRY = '127.0.0.1:5000';
const REPOSITORY = `build-cache-${process.pid}`;
const IMAGE = `${REGISTRY}/${REPOSITORY}`;
// Fresh for each run of this file: no engine can have these dependency layers from an earlier run.
const NONCE = randomUUID();

let dir: string;
let remote: RemoteEngine;
let shared: Docker;
let empty: Docker;
let service: ReturnType<typeof cachedService>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-build-cache-'));
  remote = await startRemoteEngine(join(dir, 'engine'), { tcp: TCP, ssh: SSH });
  shared = dockerClient(process.env.DOCKER_HOST);
  empty = dockerClient(remote.socket);
  service = cachedService({ dir, image: IMAGE, nonce: NONCE });
}, 120_000);

afterAll(async () => {
  for (const image of (await shared?.listImages({ filters: { reference: [IMAGE] } })) ?? []) {
    await shared.getImage(image.Id).remove({ force: true }).catch(() => undefined);
  }
  await remote?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** What the registry answers for a tag of the test's repository (200: it has it). */
async function manifestStatus(tag: string): Promise<number> {
  const { username, password } = await registryAuth(REGISTRY);
  const answer = await fetch(`http://${REGISTRY}/v2/${REPOSITORY}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      accept: 'application/vnd.docker.distribution.manifest.v2+json',
      ...(username ? { authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` } : {}),
    },
  });
  return answer.status;
}

describe('the registry as the build cache of a fresh worker host', () => {
  const SHA1 = '1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  const SHA2 = '2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
  let first: Built;

  beforeAll(async () => {
    first = await service.build(shared, SHA1, 'main', await service.commit('one'), { push: true });
  }, 180_000);

  it('pushes the test image beside the release, under the cache tag', async () => {
    expect(first.outcomes.map((o) => o.status)).toEqual(['passed', 'passed', 'passed']);
    expect(first.lines.join('\n')).not.toMatch(/build cache: .*(cannot|failed)/);
    // In the registry, for any host to pull.
    expect(await manifestStatus(cacheTag(first.tag))).toBe(200);
  });

  it('rebuilds the dependency layers on an empty engine without the cache', async () => {
    await emptyEngine(empty);

    const second = await service.build(empty, SHA2, 'main', await service.commit('two'), { buildCache: false });

    expect(second.outcomes.map((o) => o.status)).toEqual(['passed', 'passed']);
    // Once for the test target; the release build reuses what the test build just made.
    expect(service.afterDependencyStep(second.lines)[0]).toMatch(/^---> Running in /);
    const installed = await service.installedIn(empty, `${IMAGE}:${second.tag}`);
    expect(installed).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(installed).not.toBe(await service.installedIn(shared, `${IMAGE}:${first.tag}`));
  }, 180_000);

  it('reuses them from the registry on an empty engine with the cache', async () => {
    await emptyEngine(empty);

    const second = await service.build(empty, SHA2, 'main', await service.commit('two'));

    expect(second.outcomes.map((o) => o.status)).toEqual(['passed', 'passed']);
    // The test build and the release build: both take the dependency step from the cache.
    expect(service.afterDependencyStep(second.lines)).toEqual(['---> Using cache', '---> Using cache']);
    // The very layer commit 1 made: its file holds the id drawn when the step ran on the shared engine.
    expect(await service.installedIn(empty, `${IMAGE}:${second.tag}`)).toBe(await service.installedIn(shared, `${IMAGE}:${first.tag}`));
    // The source step is not taken from the cache: commit 2's file is in its release.
    const [src] = await dockerImageEngine(empty, (registry) => registryAuth(registry)).readFiles({ image: `${IMAGE}:${second.tag}` }, ['/app/src.txt']);
    expect(src).toBe('two commit\n');
  }, 180_000);

  it("takes a new branch's cache from the default branch", async () => {
    await emptyEngine(empty);

    const branch = await service.build(empty, '3333333ccccccccccccccccccccccccccccccccc', 'dev/feature-x', await service.commit('three'));

    expect(branch.outcomes.map((o) => o.status)).toEqual(['passed', 'passed']);
    expect(service.afterDependencyStep(branch.lines)).toEqual(['---> Using cache', '---> Using cache']);
  }, 180_000);

  it('builds without the cache, saying why, when the registry refuses the pull', async () => {
    await emptyEngine(empty);
    const wrong = async (registry: string) => ({ serveraddress: registry, username: 'nobody', password: 'wrong' });

    const second = await service.build(empty, SHA2, 'main', await service.commit('two'), { credentials: wrong });

    expect(second.outcomes.map((o) => o.status)).toEqual(['passed', 'passed']);
    expect(second.lines).toContainEqual(expect.stringMatching(new RegExp(`^build cache: cannot pull ${IMAGE}:main-1111111-cache \\(.*\\); building without it$`)));
    expect(service.afterDependencyStep(second.lines)[0]).toMatch(/^---> Running in /);
  }, 180_000);

  it("takes the default branch's cache, without an error, when the registry no longer has the branch's previous build", async () => {
    await emptyEngine(empty);
    await service.stores.releases.save({
      service: 'cached', sha: '4444444ddddddddddddddddddddddddddddddddd', branch: 'dev/gone', image: IMAGE, tag: 'dev-gone-4444444',
      digest: `sha256:${'0'.repeat(64)}`, runId: 'run-gone', createdAt: new Date().toISOString(),
    });

    const gone = await service.build(empty, '5555555eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 'dev/gone', await service.commit('five'));

    expect(gone.outcomes.map((o) => o.status)).toEqual(['passed', 'passed']);
    // Not there is not a failure: nothing says "cannot pull".
    expect(gone.lines.filter((line) => line.startsWith('build cache:'))).toEqual([
      `build cache: reusing the layers of ${IMAGE}:main-1111111-cache and ${IMAGE}:main-1111111 from the registry`,
      `build cache: reusing the layers of ${IMAGE}:main-1111111-cache and ${IMAGE}:main-1111111 from the registry`,
    ]);
    expect(service.afterDependencyStep(gone.lines)).toEqual(['---> Using cache', '---> Using cache']);
  }, 180_000);

  it('pulls nothing on the engine that built the previous commit, and still reuses its layers', async () => {
    const since = Math.floor(Date.now() / 1000);

    const second = await service.build(shared, SHA2, 'main', await service.commit('two'));

    expect(second.outcomes.map((o) => o.status)).toEqual(['passed', 'passed']);
    expect(service.afterDependencyStep(second.lines)).toEqual(['---> Using cache', '---> Using cache']);
    const events = await shared.getEvents({ since, until: Math.ceil(Date.now() / 1000), filters: { type: ['image'], event: ['pull'] } });
    let text = '';
    for await (const chunk of events) text += String(chunk);
    // Other tests may pull other images on the shared engine meanwhile.
    const pulled = text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { id: string }).id);
    expect(pulled.filter((id) => id.startsWith(IMAGE))).toEqual([]);
  }, 180_000);

  it("keeps one cache image of the branch on the engine that pushes: the previous one leaves it, not the registry", async () => {
    const previous = `${IMAGE}:${cacheTag(first.tag)}`;
    expect(await shared.getImage(previous).inspect()).toMatchObject({ RepoTags: expect.arrayContaining([previous]) });

    const next = await service.build(shared, SHA2, 'main', await service.commit('two'), { push: true });

    expect(next.outcomes.map((o) => o.status)).toEqual(['passed', 'passed', 'passed']);
    expect(await shared.getImage(`${IMAGE}:${cacheTag(next.tag)}`).inspect()).toMatchObject({ Parent: expect.stringMatching(/^sha256:/) });
    // The previous one is discarded beside the run, not before its push stage ends.
    const gone = await until(() => shared.getImage(previous).inspect().then(() => undefined, (error: { statusCode?: number }) => error.statusCode), `${previous} to leave the engine`, 30_000);
    expect(gone).toBe(404);
    expect(await manifestStatus(cacheTag(first.tag))).toBe(200);
  }, 180_000);
});
