import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerClient } from '../src/adapters/docker/docker-client.js';
import { type Built, cachedService, emptyEngine } from '../test/helpers/cached-service.js';
import { startRemoteEngine } from '../test/helpers/remote-engine.js';
import { median, x } from './stats.js';

// Ports of this benchmark: 26420-26421 (the second engine's TCP and SSH).
const PORTS = { tcp: 26420, ssh: 26421 };
const IMAGE = '127.0.0.1:5000/slipway-build-cache-bench';
const DEPS_SECONDS = 5;

export type CacheFigures = {
  /** ms of the test and build stages of a new commit, per run. */
  warm: number[];
  cached: number[];
  cold: number[];
  /** What the build output said after the dependency step, per kind (last run). */
  steps: { warm: string[]; cached: string[]; cold: string[] };
};

/**
 * The first build of a new commit on an engine that has never built the service (another worker host), with
 * the registry's cache and without it (buildCache off), against the engine that built the previous commit.
 * The service (test/helpers/cached-service.ts) has a dependency step of DEPS_SECONDS in a deps stage that the
 * release does not contain; slipway's own test and build stages build it. The second engine is emptied before
 * each build on it.
 */
export async function buildCacheBench(runs: number, log: (line: string) => void): Promise<CacheFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-build-cache-bench-'));
  const remote = await startRemoteEngine(join(dir, 'engine'), PORTS);
  const shared = dockerClient(process.env.DOCKER_HOST);
  const empty = dockerClient(remote.socket);
  const service = cachedService({ dir, image: IMAGE, nonce: randomUUID(), depsSeconds: DEPS_SECONDS });
  const sha = (i: number) => `${String(i).padStart(7, '0')}${'a'.repeat(33)}`;
  const passed = (what: string, built: Built) => {
    const failed = built.outcomes.find((o) => o.status !== 'passed');
    if (failed) throw new Error(`${what} did not build: ${JSON.stringify(failed)}\n${built.lines.slice(-20).join('\n')}`);
    return built;
  };
  const figures: CacheFigures = { warm: [], cached: [], cold: [], steps: { warm: [], cached: [], cold: [] } };
  try {
    passed('the first commit', await service.build(shared, sha(0), 'main', await service.commit('c0'), { push: true }));
    for (let i = 1; i <= runs; i++) {
      const source = await service.commit(`c${i}`);
      const warm = passed('the warm build', await service.build(shared, sha(i), 'main', source));
      await emptyEngine(empty);
      const cached = passed('the cached build', await service.build(empty, sha(i), 'main', source));
      await emptyEngine(empty);
      const cold = passed('the cold build', await service.build(empty, sha(i), 'main', source, { buildCache: false }));
      figures.warm.push(warm.ms);
      figures.cached.push(cached.ms);
      figures.cold.push(cold.ms);
      figures.steps = { warm: service.afterDependencyStep(warm.lines), cached: service.afterDependencyStep(cached.lines), cold: service.afterDependencyStep(cold.lines) };
      log(`build cache run ${i}: warm ${warm.ms} ms, empty engine with the cache ${cached.ms} ms, without ${cold.ms} ms`);
    }
    return figures;
  } finally {
    for (const image of await shared.listImages({ filters: { reference: [IMAGE] } })) {
      await shared.getImage(image.Id).remove({ force: true }).catch(() => undefined);
    }
    await remote.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export function buildCacheSection(f: CacheFigures, runs: number): string {
  const s = (samples: number[]) => `${(median(samples) / 1000).toFixed(2)} s`;
  const all = (samples: number[]) => samples.map((ms) => `${(ms / 1000).toFixed(2)}`).join(', ');
  const reused = (steps: string[]) => (steps.length > 0 && steps.every((step) => step === '---> Using cache') ? 'reused' : 'run');
  const ratio = median(f.cached) / median(f.warm);
  return [
    '## 7. Build cache across workers',
    '',
    'The first build of a new commit on a worker whose engine has never built the service, against the engine that',
    'built the previous commit. The service (`test/helpers/cached-service.ts`) has a deps stage with a',
    `${DEPS_SECONDS} s dependency step, a test target built from it and a release that copies the dependencies out of`,
    "it (so they are not in the release's history); slipway's own test and build stages build it, the times are",
    'theirs together. The second engine is a second dockerd, emptied before each of its builds; "with the cache"',
    'includes pulling the previous build (release and `-cache` test image, about 2 MB here) from the registry.',
    `${runs} runs; medians, each run's figures in brackets (s). Measured while other work shared the machine's two`,
    'cores: the absolute times are loose, the dependency step is what tells the cases apart.',
    '',
    '| engine | test + build stages | the dependency step |',
    '|---|---|---|',
    `| the one that built the previous commit | ${s(f.warm)} (${all(f.warm)}) | ${reused(f.steps.warm)} |`,
    `| empty, with the registry cache | ${s(f.cached)} (${all(f.cached)}) | ${reused(f.steps.cached)} |`,
    `| empty, without it (\`buildCache: false\`) | ${s(f.cold)} (${all(f.cold)}) | ${reused(f.steps.cold)} |`,
    '',
    `An empty engine with the cache takes ${x(ratio)} the time of the engine that built the previous commit`,
    `(target: as fast, ≤ 1.25×; met: ${ratio <= 1.25 ? 'yes' : 'no'}); without it, ${x(median(f.cold) / median(f.warm))}.`,
    'What the empty engine does besides: it first pulls the cache images (in parallel; not timed apart here), and the',
    'builder restores the cached steps from them. On the loaded machine, runs of one kind spread by the same order.',
    '',
  ].join('\n');
}
