import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isFinished, type Run } from '../src/core/run.js';
import { sampleConfig } from '../test/helpers/sample-config.js';
import { deliveryHeaders, pushPayload } from '../test/helpers/webhook-deliveries.js';
import { post } from './load.js';
import { startProcessStack } from './process-stack.js';
import { since } from './stats.js';

const run = promisify(execFile);
export const BRANCH_COUNTS = [10, 25, 50] as const;

export type BranchFigures = {
  branches: number;
  seconds: number;
  outcomes: Record<string, number>;
  /** The most deploys of one environment that overlapped in time: must be 1. */
  maxOverlap: number;
  /** One `slipway` process (the default), or a server and a worker. */
  split: boolean;
  /** Peak RSS per process: [all] or [server, worker]. */
  peakMiB: number[];
};

const config = (repoUrl: string) =>
  sampleConfig({
    service: 'many',
    repoUrl,
    testTarget: 'test',
    image: 'slipway-bench-many',
    branches: [
      { match: 'feature/*', deploy: 'ephemeral' },
      { match: 'release/*', deploy: 'staging' },
    ],
    staging: { port: 18795, healthTimeoutSeconds: 20 },
    ephemeral: { ports: '19400-19499', healthTimeoutSeconds: 20 },
  });

/** The most intervals [start, end] that overlap at one moment. */
function maxOverlap(intervals: readonly [number, number][]): number {
  const edges = intervals.flatMap(([a, b]) => [[a, 1], [b, -1]] as const).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  let open = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (open += step));
  return most;
}

/**
 * Many branches: `count` branches pushed at once (signed Gogs deliveries sent together), each with its own
 * commit: four in five to their own environment, one in five to the shared staging. slipway runs as one process
 * (as `npm start` does) or as a server and a worker; peak RSS is read from the kernel. Checks that every run ends and that no two deploys
 * of one environment overlapped.
 */
export async function manyBranches(count: number, log: (line: string) => void, { split = false } = {}): Promise<BranchFigures> {
  // The branches' deliveries are sent together below: the repository's hook is not connected.
  const stack = await startProcessStack(config, { env: { SLIPWAY_WORKER_CONCURRENCY: '4' }, split });
  const { repo, runs, server, worker } = stack;
  try {
    const branches: { name: string; sha: string }[] = [];
    for (let i = 0; i < count; i += 1) {
      const name = i % 5 === 4 ? `release/r${i}` : `feature/f${i}`;
      await repo.checkout('main');
      await repo.checkout(name, { create: true });
      branches.push({ name, sha: await repo.commit({ 'www/version': `${name}\n` }, `Work on ${name}`) });
    }
    await run('git', ['push', '--quiet', 'origin', '--all'], { cwd: join(repo.dir, 'work') });

    const start = performance.now();
    const ids = await Promise.all(
      branches.map(async (b) => {
        const body = JSON.stringify(pushPayload('gogs', { repoUrl: repo.url, ref: `refs/heads/${b.name}`, after: b.sha }));
        const status = await post(stack.webhookUrl, body, deliveryHeaders('gogs', body, stack.secret));
        if (status !== 202) throw new Error(`the push of ${b.name} was answered ${status}`);
        const list = await runs.listByService('many', 1000);
        return list.find((r) => r.sha === b.sha)?.id ?? '';
      }),
    );
    let finished: Run[] = [];
    for (;;) {
      finished = (await runs.listByService('many', 1000)).filter((r) => ids.includes(r.id));
      if (finished.length === count && finished.every(isFinished)) break;
      if (since(start) > 900_000) throw new Error(`not every run ended in 15 minutes: ${finished.filter((r) => !isFinished(r)).map((r) => `${r.id} ${r.status}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = since(start) / 1000;
    const outcomes: Record<string, number> = {};
    for (const r of finished) outcomes[r.status] = (outcomes[r.status] ?? 0) + 1;
    const byEnvironment = new Map<string, [number, number][]>();
    for (const r of finished) {
      for (const s of r.stages.filter((st) => st.name.startsWith('deploy:') && st.startedAt && st.finishedAt)) {
        byEnvironment.set(s.name, [...(byEnvironment.get(s.name) ?? []), [Date.parse(s.startedAt!), Date.parse(s.finishedAt!)]]);
      }
    }
    const figures = {
      branches: count,
      seconds,
      outcomes,
      maxOverlap: Math.max(0, ...[...byEnvironment.values()].map(maxOverlap)),
      split,
      peakMiB: [await server.peakRssMiB(), ...(worker ? [await worker.peakRssMiB()] : [])],
    };
    log(`${count} branches${split ? ' (server + worker)' : ''}: ${seconds.toFixed(1)} s, ${JSON.stringify(outcomes)}, overlap ${figures.maxOverlap}, RSS ${figures.peakMiB.map((m) => m.toFixed(0)).join(' + ')} MiB`);
    return figures;
  } finally {
    await stack.stop();
  }
}

/** How the split case got where it is: figures measured by hand beside the bench (BENCH_NODE_ARGS), alternating flags. */
const SPLIT_TEXT = [
  'Split in two, each process loads only its half: a `slipway worker` no Bolt, commands or Slack routes; a',
  '`slipway server` no BullMQ workers, stages or Docker client. Started and idle, a server takes about 100 MiB and',
  'a worker about 110 MiB: the modules each needs (ioredis, BullMQ, zod, pino, prom-client; the worker also',
  'dockerode with ssh2). One process loads them once and stays under 200 MiB with Node\'s defaults.',
  '',
  '**What the pair\'s peak was, and what brought it down.** Sampled every 50 ms (`process.memoryUsage()` from an',
  '`--import` in BENCH_NODE_ARGS), the worker\'s heap in use went from about 31 MiB to 40–95 MiB at its peak, and a',
  'collection forced at 50 MiB brought it back to 31: garbage not yet collected. With a heap limit of 1 GiB or more',
  '(Node\'s default on this machine: 4 GiB), V8 lets the old generation grow to four times what survived its last',
  'full collection before it collects again, and the young generation to 2 × 16 MiB. docker-compose.yml now starts',
  'the worker with `--max-old-space-size=512` (a factor of about 1.5; 512 MiB is over ten times what it keeps) and',
  '`--max-semi-space-size=4`. Measured by hand, alternating with the defaults: the worker peaked at 129–136 MiB in',
  'eight runs, against 153–191 MiB in eight with the defaults. The server keeps the defaults. With the same limit',
  'and 8 MiB semi-spaces it peaked about 10 MiB lower (99–100 MiB against 103–116, started and sent 50 pushes at',
  'once), but spent about a tenth more CPU per webhook (§2: 3.2–3.5× the HTTP floor\'s against 2.8–3.1×, three',
  'pairs alternated); with 4 MiB semi-spaces, a fifth more. One more cut, from a sampling heap profile of the',
  'worker that counts collected objects: its largest allocation site was ioredis building pipelines, 60 of the',
  '397 MiB allocated in a run. ioredis copies',
  'every Lua script defined on a connection onto each pipeline it makes (every auto-pipelined tick), and BullMQ',
  'had defined its 64 on the connection the stores use. BullMQ\'s queues now have a connection of their own.',
  '',
];

/** `single`: one process per branch count; `split`: the server + worker case, run several times (the median shown). */
export function branchesSection(single: BranchFigures[], split: BranchFigures[]): string {
  const total = (f: BranchFigures) => f.peakMiB.reduce((a, b) => a + b, 0);
  const byTotal = [...split].sort((a, b) => total(a) - total(b));
  const medianSplit = byTotal[Math.floor((byTotal.length - 1) / 2)]!;
  const row = (f: BranchFigures, runs?: BranchFigures[]) => {
    const outcomes = Object.entries(f.outcomes).map(([k, v]) => `${v} ${k}`).join(', ');
    const each = runs && runs.length > 1 ? ` (runs: ${runs.map((r) => total(r).toFixed(0)).join(', ')})` : '';
    const rss = f.split ? `${f.peakMiB.map((m) => m.toFixed(0)).join(' + ')} = ${total(f).toFixed(0)} MiB${each}` : `${total(f).toFixed(0)} MiB`;
    return `| ${f.branches} | ${f.split ? 'server + worker' : 'one process'} | ${f.seconds.toFixed(1)} s | ${(f.seconds / f.branches).toFixed(2)} s | ${outcomes} | ${f.maxOverlap} | ${rss} |`;
  };
  const [first, last] = [single[0]!, single.at(-1)!];
  const check = (f: BranchFigures) =>
    f.maxOverlap <= 1 && total(f) < 250 && Math.max(...f.peakMiB) < 200 && (f.outcomes.passed ?? 0) + (f.outcomes.superseded ?? 0) === f.branches;
  const splitOk = check(medianSplit) && split.every((f) => f.maxOverlap <= 1 && (f.outcomes.passed ?? 0) + (f.outcomes.superseded ?? 0) === f.branches);
  return [
    '## 4. Many branches',
    '',
    'N branches pushed at once (signed Gogs deliveries sent together), each with a commit of its own: four in five',
    'go to their own environment, one in five to the shared staging (so those queue for it, and a newer one',
    'supersedes an older one still waiting). slipway runs as one process, as `npm start` and the image run it, and',
    `at 50 also as a \`slipway server\` plus a \`slipway worker\` as docker-compose.yml starts them (${split.length} runs, the`,
    'median shown, each run\'s total beside it); 4 runs at a time. Peak RSS is the kernel\'s VmHWM. Overlap is',
    'the most deploys of one environment running at one moment. Target: all finish, overlap 1, peak RSS < 250 MiB',
    'together and < 200 MiB for any one process.',
    '',
    '| branches | processes | all ended after | per branch | outcomes | overlap | peak RSS |',
    '|---|---|---|---|---|---|---|',
    ...single.map((f) => row(f)),
    row(medianSplit, split),
    '',
    `From ${first.branches} to ${last.branches} branches the time grew ${(last.seconds / first.seconds).toFixed(1)}× for ${(last.branches / first.branches).toFixed(0)}× the branches.`,
    '',
    ...SPLIT_TEXT,
    `Targets met: ${[...single.map((f) => `${f.branches} ${check(f) ? 'yes' : 'no'}`), `${medianSplit.branches} split ${splitOk ? 'yes' : 'no'}`].join(', ')}.`,
    '',
  ].join('\n');
}
