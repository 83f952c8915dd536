import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Run } from '../src/core/run.js';
import { sampleConfig } from '../test/helpers/sample-config.js';
import { makeStubborn } from '../test/helpers/stubborn-service.js';
import { startProcessStack } from './process-stack.js';
import { passedRun, pushRounds, removeFloor, stageTimes } from './push-rounds.js';
import { median, x } from './stats.js';

const run = promisify(execFile);
// Ports of this benchmark: 18796-18799.
const [SLIPWAY_PORT, FLOOR_PORT] = [18796, 18797];
const IMAGE = '127.0.0.1:5000/slipway-sigterm-bench';
const FLOOR_CONTAINER = 'slipway-sigterm-floor';

export type StubbornFigures = { slipway: number; floor: number; deploys: number[]; stages: string };

const config = (repoUrl: string) =>
  sampleConfig({ service: 'sigterm', repoUrl, tests: true, image: IMAGE, staging: { port: SLIPWAY_PORT, healthTimeoutSeconds: undefined } });

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
  const deployMs = (r: Run) => {
    const stage = r.stages.find((s) => s.name === 'deploy:staging');
    return Date.parse(stage!.finishedAt!) - Date.parse(stage!.startedAt!);
  };
  try {
    await makeStubborn(repo);
    await repo.connect(stack.webhookUrl, stack.secret);
    // Warm-up: the base layers built and pushed once, and a first release running on each side to be replaced.
    await repo.commit({ 'www/version': 'warm\n' }, 'warm up');
    await passedRun(runStore, (await repo.push('main')).runId!);
    await repo.push('HEAD:refs/heads/floor');
    await run('bash', ['bench/floor-pipeline.sh', repo.url, await repo.head(), `${IMAGE}:floor-warm`, FLOOR_CONTAINER, String(FLOOR_PORT)]);
    const per = await pushRounds({ repo, runStore, ports: [SLIPWAY_PORT, FLOOR_PORT], image: IMAGE, floorContainer: FLOOR_CONTAINER, log: (line) => log(`stubborn ${line}`) }, runs);
    const stages = stageTimes(per.runs.at(-1)!);
    log(`stubborn stages of ${per.runs.at(-1)!.id}: ${stages}`);
    return { slipway: median(per.slipway), floor: median(per.floor), deploys: per.runs.map(deployMs), stages };
  } finally {
    await stack.stop();
    await removeFloor(FLOOR_CONTAINER);
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
    `Where slipway's time went (last run): ${f.stages}. The script builds its two targets one after the other,`,
    'as in section 3, where slipway builds the release beside the tests; what slipway adds over a script doing',
    'that too is the pipeline\'s fixed cost before the deploy (section 3), not the stop of the old release.',
    '',
  ].join('\n');
}
