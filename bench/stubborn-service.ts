import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Run } from '../src/core/run.js';
import { served, until } from '../test/helpers/run-watch.js';
import { sampleConfig } from '../test/helpers/sample-config.js';
import { makeStubborn } from '../test/helpers/stubborn-service.js';
import { startProcessStack } from './process-stack.js';
import { median, since, x } from './stats.js';

const run = promisify(execFile);
// Ports of this benchmark: 18796-18799.
const [SLIPWAY_PORT, FLOOR_PORT] = [18796, 18797];
const IMAGE = '127.0.0.1:5000/slipway-sigterm-bench';
const FLOOR_CONTAINER = 'slipway-sigterm-floor';

export type StubbornFigures = { slipway: number; floor: number; deploys: number[]; stages: string };

const config = (repoUrl: string) =>
  sampleConfig({ service: 'sigterm', repoUrl, tests: true, image: IMAGE, staging: { port: SLIPWAY_PORT, healthTimeoutSeconds: undefined } });

const servedNow = (port: number) => served(port).catch(() => '');

/** "checkout 120 ms, test 800 ms, …": where a run's time went. */
const stageTimes = (r: Run) => r.stages.map((s) => `${s.name} ${s.startedAt && s.finishedAt ? Date.parse(s.finishedAt) - Date.parse(s.startedAt) : '?'} ms`).join(', ');

/**
 * A service whose PID 1 ignores SIGTERM (test/helpers/stubborn-service.ts): push → staging answering
 * with the new version, through slipway against `floor-pipeline.sh` (clone, both builds, push, `docker rm -f`
 * the old container, `docker run` the new one, health poll), alternating. Every round replaces a running
 * release, which is where such a service costs: slipway stops the old one gracefully (`docker stop`), which
 * without an init as PID 1 waits out its full timeout with nothing serving.
 */
export async function stubbornServiceBench(runs: number, log: (line: string) => void): Promise<StubbornFigures> {
  const stack = await startProcessStack(config);
  const { repo, runs: runStore } = stack;
  const per = { slipway: [] as number[], floor: [] as number[], deploys: [] as number[] };
  let stages = '';
  const passed = (runId: string) =>
    until(async () => {
      const r = await runStore.get(runId);
      if (r?.status === 'failed') throw new Error(`run ${runId} failed at ${r.failure?.stage}: ${r.failure?.cause}`);
      return r?.status === 'passed' ? r : undefined;
    }, `run ${runId}`, 300_000, 20);
  const deployMs = (r: Run) => {
    const stage = r.stages.find((s) => s.name === 'deploy:staging');
    return Date.parse(stage!.finishedAt!) - Date.parse(stage!.startedAt!);
  };
  try {
    await makeStubborn(repo);
    await repo.connect(stack.webhookUrl, stack.secret);
    // Warm-up: the base layers built and pushed once, and a first release running on each side to be replaced.
    await repo.commit({ 'www/version': 'warm\n' }, 'warm up');
    await passed((await repo.push('main')).runId!);
    await repo.push('HEAD:refs/heads/floor');
    await run('bash', ['bench/floor-pipeline.sh', repo.url, await repo.head(), `${IMAGE}:floor-warm`, FLOOR_CONTAINER, String(FLOOR_PORT)]);
    const nonce = randomBytes(4).toString('hex');
    for (let round = 0; round < runs; round += 1) {
      for (const who of round % 2 === 0 ? (['slipway', 'floor'] as const) : (['floor', 'slipway'] as const)) {
        // Unique across invocations too: content seen before would let the engine's layer cache skip the build.
        const version = `${who}-${round}-${nonce}`;
        const sha = await repo.commit({ 'www/version': `${version}\n` }, `Version ${version}`);
        // Both sides start at the push. The floor clones what the git host has: a branch slipway has no route for.
        const start = performance.now();
        if (who === 'floor') await repo.push('HEAD:refs/heads/floor');
        if (who === 'slipway') {
          const { runId } = await repo.push('main');
          await until(async () => ((await servedNow(SLIPWAY_PORT)) === version ? true : undefined), `slipway to serve ${version}`, 300_000, 20);
          per.slipway.push(since(start));
          const ended = await passed(runId!);
          per.deploys.push(deployMs(ended));
          stages = stageTimes(ended);
          log(`stubborn stages of ${ended.id}: ${stages}`);
        } else {
          await run('bash', ['bench/floor-pipeline.sh', repo.url, sha, `${IMAGE}:floor-${round}`, FLOOR_CONTAINER, String(FLOOR_PORT)]);
          if ((await servedNow(FLOOR_PORT)) !== version) throw new Error('the floor script deployed the wrong version');
          per.floor.push(since(start));
        }
        log(`stubborn round ${round + 1} ${who}: ${(per[who].at(-1)! / 1000).toFixed(2)} s`);
      }
    }
    return { slipway: median(per.slipway), floor: median(per.floor), deploys: per.deploys, stages };
  } finally {
    await stack.stop();
    await run('docker', ['rm', '-f', FLOOR_CONTAINER]).catch(() => undefined);
  }
}

export function stubbornSection(f: StubbornFigures): string {
  const ratio = f.slipway / f.floor;
  return [
    '## 6. A service whose PID 1 ignores SIGTERM',
    '',
    'The sample service with its app started as many images start theirs, `sh -c "exec httpd …"`: httpd is PID 1',
    'and ignores SIGTERM. A push of a new version until staging answers with it, through slipway (one process,',
    'as in section 3), against `bench/floor-pipeline.sh` doing the same clone, builds and push, then `docker rm -f`',
    'of the old container and `docker run` of the new one. Every round replaces a running release. Target: ≤ 1.25×',
    '(before releases ran under an init: 11.9 s against 1.3 s, 9.6×: `docker stop` waited its full 10 s).',
    '',
    '| | push → staging healthy |',
    '|---|---|',
    `| slipway | ${(f.slipway / 1000).toFixed(2)} s |`,
    `| floor (shell script) | ${(f.floor / 1000).toFixed(2)} s |`,
    `| ratio | ${x(ratio)} (target met: ${ratio <= 1.25 ? 'yes' : 'no'}) |`,
    '',
    `slipway's deploy stage (stop the old release, start the new, health check) took ${f.deploys.map((ms) => `${ms} ms`).join(', ')}.`,
    'Releases run with Docker\'s `Init`: the init process is PID 1 and passes SIGTERM on to httpd, which has the',
    'default action for it there, so the graceful stop ends at once; the old container is removed after the new',
    'one is healthy, without holding up the deploy.',
    '',
    `Where slipway's time went (last run): ${f.stages}. What is left of the gap is the pipeline's fixed cost before`,
    'the deploy (section 3), not the stop of the old release.',
    '',
  ].join('\n');
}
