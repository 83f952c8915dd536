import type { Run } from '../src/core/run.js';
import { sampleConfig } from '../test/helpers/sample-config.js';
import { deliveryHeaders, pushPayload } from '../test/helpers/webhook-deliveries.js';
import { startProcessStack } from './process-stack.js';
import { passedRun, pushRounds, removeFloor, stageTimes } from './push-rounds.js';
import { median, x } from './stats.js';

const IMAGE = '127.0.0.1:5000/slipway-bench-sample';
const FLOOR_CONTAINER = 'slipway-bench-floor';

/**
 * One case: the medians of the rounds, the median of slipway's time over each floor's in a round (the script
 * building one target after the other, and both at once), the stages.
 */
export type CaseFigures = { slipway: number; floor: number; overhead: number; floorAtOnce: number; overheadAtOnce: number; stages: string };
export type PipelineFigures = { sample: CaseFigures; slowBuild: CaseFigures; firstRun: number; unchangedRun: number; unchangedStages: string };

/** The two services: the sample as it is, and the sample whose test step sleeps 10 s (not cached: each round changes a file copied before it). */
const CASES = {
  sample: { ports: [18790, 18791], image: IMAGE, files: {} as Record<string, string> },
  slowBuild: { ports: [18792, 18793], image: `${IMAGE}-slow`, files: { slow: '10\n' } as Record<string, string> },
};
type Case = (typeof CASES)[keyof typeof CASES];

const config = ({ ports, image }: Case) => (repoUrl: string) =>
  sampleConfig({ repoUrl, tests: true, image, staging: { port: ports[0]!, healthTimeoutSeconds: undefined } });

/**
 * Pipeline overhead: push → staging answering with the new version, through slipway (one process, real Redis,
 * Docker engine and registry), against `floor-pipeline.sh` doing the same clone, builds, push, run and health
 * poll, for the sample service and for one whose build takes 10 s. Each round commits a new version, so both
 * build the same fresh layers; the order alternates. Then a run of the same sha again (a redelivered push with
 * a new delivery id) shows build once: no build, no push.
 */
export async function pipelineOverhead(runs: number, log: (line: string) => void): Promise<PipelineFigures> {
  const { figures: sample, lastRun, again } = await pipelineCase(CASES.sample, runs, log, true);
  const { figures: slowBuild } = await pipelineCase(CASES.slowBuild, runs, (line) => log(`slow build: ${line}`), false);
  return { sample, slowBuild, firstRun: runTime(lastRun), unchangedRun: runTime(again!), unchangedStages: stageTimes(again!) };
}

const runTime = (r: Run) => Date.parse(r.stages.find((s) => s.name === 'deploy:staging')!.finishedAt!) - Date.parse(r.createdAt);

async function pipelineCase(which: Case, runs: number, log: (line: string) => void, unchanged: boolean) {
  const [SLIPWAY_PORT, FLOOR_PORT] = which.ports as [number, number];
  const stack = await startProcessStack(config(which));
  const { repo, runs: runStore } = stack;
  await repo.connect(stack.webhookUrl, stack.secret);
  const passed = (runId: string) => passedRun(runStore, runId);
  try {
    // Warm-up: the first build of the base layers, the first push of them.
    await repo.commit({ 'www/version': 'warm\n', ...which.files }, 'warm up');
    await passed((await repo.push('main')).runId!);
    const setup = { repo, runStore, ports: [SLIPWAY_PORT, FLOOR_PORT] as const, image: which.image, floorContainer: FLOOR_CONTAINER, log: (line: string) => log(`pipeline ${line}`) };
    const per = await pushRounds(setup, runs, { atOnce: true });
    const lastRun = per.runs.at(-1)!;
    const over = (floor: number[]) => median(per.slipway.map((value, i) => value - floor[i]!));
    const figures: CaseFigures = {
      slipway: median(per.slipway), floor: median(per.floor), overhead: over(per.floor), floorAtOnce: median(per.floorAtOnce), overheadAtOnce: over(per.floorAtOnce), stages: stageTimes(lastRun),
    };
    log(`stages of ${lastRun.id}: ${figures.stages}`);
    if (!unchanged) return { figures, lastRun: lastRun };
    // Build once: the same sha again, as a redelivered push.
    const body = JSON.stringify(pushPayload('gogs', { repoUrl: repo.url, after: lastRun.sha }));
    const res = await fetch(stack.webhookUrl, { method: 'POST', body, headers: deliveryHeaders('gogs', body, stack.secret) });
    const again = await passed(((await res.json()) as { runId: string }).runId);
    if (!again.release?.reused) throw new Error('the unchanged sha was built again');
    log(`pipeline unchanged sha: ${runTime(again)} ms (first: ${runTime(lastRun)} ms); stages: ${stageTimes(again)}`);
    return { figures, lastRun: lastRun, again };
  } finally {
    await stack.stop();
    await removeFloor(FLOOR_CONTAINER);
  }
}

const TARGETS = { sample: { ratio: 1.25, overheadMs: 150 }, slowBuild: { ratio: 1.05 } };
const met = (yes: boolean) => (yes ? 'yes' : 'no');
const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;

export function pipelineSection(f: PipelineFigures): string {
  const { sample, slowBuild } = f;
  const [sampleRatio, slowRatio] = [sample.slipway / sample.floor, slowBuild.slipway / slowBuild.floor];
  const reuse = f.unchangedRun / f.firstRun;
  return [
    '## 3. Pipeline overhead',
    '',
    'A push of a new version until staging answers with it: through slipway (one process on real Redis, Docker',
    'engine and registry: checkout, tests with coverage and JUnit reports, build, push, deploy, health check),',
    'against `bench/floor-pipeline.sh`, which does the same `git clone`, `docker build` of the test and final',
    'targets, `docker push`, `docker run` and health poll. Each round commits a new version, so all build the',
    'same fresh layers. Two services: the sample (a build of about a second), and the sample whose test step',
    'sleeps 10 s (a file copied before that step changes every round, so it is never cached). Fixed overhead is',
    'the median over rounds of slipway\'s time minus the floor\'s in the same round.',
    '',
    'slipway builds the release beside the tests (a failed test discards it; nothing is pushed before the tests',
    'and the coverage gate pass), where the script, as a person would, builds one after the other: the targets',
    'hold against that script. So that the overhead of slipway\'s own work is not hidden by that overlap, each',
    'round also runs the script with its two builds at once (`at-once`), and the last two rows compare with it.',
    '',
    '| | sample service | build of ≥ 10 s |',
    '|---|---|---|',
    `| slipway | ${seconds(sample.slipway)} | ${seconds(slowBuild.slipway)} |`,
    `| floor (shell script) | ${seconds(sample.floor)} | ${seconds(slowBuild.floor)} |`,
    `| fixed overhead | ${Math.round(sample.overhead)} ms (target ≤ ${TARGETS.sample.overheadMs} ms, met: ${met(sample.overhead <= TARGETS.sample.overheadMs)}) | ${Math.round(slowBuild.overhead)} ms |`,
    `| ratio | ${x(sampleRatio)} (target ≤ ${x(TARGETS.sample.ratio)}, met: ${met(sampleRatio <= TARGETS.sample.ratio)}) | ${x(slowRatio)} (target ≤ ${x(TARGETS.slowBuild.ratio)}, met: ${met(slowRatio <= TARGETS.slowBuild.ratio)}) |`,
    `| floor, its builds at once | ${seconds(sample.floorAtOnce)} | ${seconds(slowBuild.floorAtOnce)} |`,
    `| overhead over that | ${Math.round(sample.overheadAtOnce)} ms (${x(sample.slipway / sample.floorAtOnce)}) | ${Math.round(slowBuild.overheadAtOnce)} ms (${x(slowBuild.slipway / slowBuild.floorAtOnce)}) |`,
    '',
    `Build once: the last new version of the sample took ${seconds(f.firstRun)} from run created to deployed; the same sha`,
    `again (a redelivered push) took ${seconds(f.unchangedRun)}, ${(reuse * 100).toFixed(1)} % of it (target ≤ 5 %, met: ${met(reuse <= 0.05)}).`,
    '',
    `Where slipway's time went (last new version): sample: ${sample.stages}; build of ≥ 10 s: ${slowBuild.stages}. The unchanged sha: ${f.unchangedStages}.`,
    '',
    '**What slipway does that the script does not.** Both fetch the commit, build the test and final targets, push,',
    'run and poll health. slipway also reads the JUnit and coverage reports out of the test image (one container',
    'for both), stores the build output for the run page (in batches, one Redis write at a time), checks the',
    'pushed sha is not older than what is deployed, keeps the old container until the new one is healthy, and',
    'saves every stage change for Slack. Its checkout is a worktree of a mirror kept per repository, so a run',
    'fetches only the new commit where the script clones the repository again.',
    '',
    '**Where the rest goes.** A `--cpu-prof` of slipway through this benchmark finds its process idle about 90 % of',
    'the time: the overhead is waiting, not computing, and it is fixed (the same few hundred ms on the 10 s build',
    'as on the sample). Profiling removed the large parts: a fresh clone per run (now a fetch into the mirror), a',
    'container per report (now one), per-line build log writes (now batched), a 250 ms health poll (now 50 ms at',
    'first, as the script\'s), and build labels on the test image (the engine adds them as one more step, never',
    'cached). A trace of one run (OTLP, every engine, git and Redis call a span) then showed the waits one by one:',
    'a Redis read before each save of the run (now the write gives the old state back: `SET … GET`), a stage\'s',
    'start and its job\'s note one after the other (now together), the reports\' container and the previous cache',
    'image removed before the run went on (now beside it), and the release build after the tests (now beside them).',
    'What is left are the round trips of the guarantees above: the reports\' container (create, copy), the label',
    'step of the release image (its provenance: service, sha, branch, run; about 100 ms of the engine\'s here),',
    'the run saved and its Slack message queued at each stage\'s start and end, and the old container renamed',
    'aside rather than removed. Each is one or two engine or Redis round trips on a shared, loaded pair of cores.',
    '',
  ].join('\n');
}
