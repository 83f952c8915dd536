import { pathToFileURL } from 'node:url';
import { caddyProxy } from '../src/adapters/proxy/caddy-proxy.js';
import { reloadResetsConnections } from '../src/adapters/proxy/reload-resets-connections.js';
import type { Strategy } from '../src/core/target-schema.js';
import { DEPLOYS, deployLoop, type LoopResult } from '../test/helpers/deploy-loop.js';
import { epochMs } from '../test/helpers/steady-client.js';
import { sampleConfig } from '../test/helpers/sample-config.js';
import { startSlackStack } from '../test/helpers/slack-stack.js';
import { clientProcess } from './client-process.js';
import { median } from './stats.js';

// Ports of this benchmark: 23900-23999 (the blue/green test has 23800-23899).
const PORTS: Record<Strategy, { port: number; slots?: [number, number] }> = {
  'blue-green': { port: 23900, slots: [23901, 23902] },
  recreate: { port: 23910 },
};
const APPROVER = 'U0BOB';

/** What one run of the loop measured, both clients together. */
export type LoopFigures = {
  sent: number;
  failed: number;
  retries: number;
  /** The longest time from the last answer of a version to the first of the next: the cost of a switch. */
  switchGapMs: number;
  /** The longest gap while the unhealthy release was being deployed. */
  unhealthyGapMs: number;
  /** The longest gap anywhere, whatever its cause (a switch, or two busy cores). */
  longestGapMs: number;
  /** Version changes each client saw; `asExpected` when every client saw exactly the expected sequence. */
  changes: number[];
  asExpected: boolean;
  /** How long clients were answered by the release whose health check failed (0: never). */
  unhealthyServedMs: number;
  seconds: number;
};

export type StrategyFigures = { strategy: Strategy; runs: LoopFigures[] };

const serviceOf = (strategy: Strategy) => (strategy === 'blue-green' ? 'bench-bg' : 'bench-recreate');

const config = (strategy: Strategy) => (repoUrl: string) => {
  const { port, slots } = PORTS[strategy];
  const swap = slots ? { strategy: 'blue-green', slots, drainSeconds: 1 } : {};
  return sampleConfig({
    service: serviceOf(strategy),
    repoUrl,
    image: `slipway-bench-${strategy}`,
    channel: '#deploys',
    channels: ['#deploys'],
    approvers: { users: [APPROVER] },
    staging: { port, ...swap },
  });
};

/**
 * Zero downtime, measured: the loop of the blue/green test (test/helpers/deploy-loop.ts: with r0 deployed, 5
 * deploys, one whose health check fails, one /rollback), with two clients sending requests without pause (one on a
 * kept-alive connection, one on a new connection each time), for `blue-green` and for `recreate`, `runs` times
 * each. slipway runs as the tests run it (in this process, its own Redis, a fake Slack for the rollback); each client
 * runs in a process of its own (bench/client-process.ts), so slipway's pauses are not counted as the proxy's.
 */
export async function blueGreenBench(runs: number, log: (line: string) => void): Promise<StrategyFigures[]> {
  const resets = await reloadResetsConnections();
  if (resets) throw new Error(`${resets}. scripts/services.sh sets it when run as root.`);
  const results: StrategyFigures[] = [];
  for (const strategy of ['blue-green', 'recreate'] as const) {
    const figures: StrategyFigures = { strategy, runs: [] };
    for (let round = 0; round < runs; round += 1) {
      const result = await oneLoop(strategy);
      const measured = figuresOf(result);
      figures.runs.push(measured);
      log(
        `${strategy} run ${round + 1}: ${measured.sent} requests, ${measured.failed} failed, ${measured.retries} sent again; gaps: switch ${measured.switchGapMs.toFixed(0)} ms, ` +
          `unhealthy deploy ${measured.unhealthyGapMs.toFixed(0)} ms, anywhere ${measured.longestGapMs.toFixed(0)} ms; changes ${measured.changes.join('/')} in ${measured.seconds.toFixed(0)} s`,
      );
    }
    results.push(figures);
  }
  return results;
}

async function oneLoop(strategy: Strategy): Promise<LoopResult> {
  const service = serviceOf(strategy);
  const stack = await startSlackStack({ config: config(strategy) });
  try {
    const result = await deployLoop(stack, { service, environment: 'staging', port: PORTS[strategy].port, approver: APPROVER, channel: 'deploys' }, { client: clientProcess });
    if (stack.slack.unexpected.length > 0) throw new Error(`the fake Slack got calls it did not expect: ${JSON.stringify(stack.slack.unexpected).slice(0, 500)}`);
    return result;
  } finally {
    // The embedded Caddy keeps its routes across restarts: leave none of ours in it.
    const started = stack.slipway.logs.find((line) => line.msg.includes('started an embedded Caddy'));
    if (started) await caddyProxy(String(started.admin)).remove(`${service}-staging`);
    await stack.stop();
  }
}

function figuresOf(result: LoopResult): LoopFigures {
  const all = result.clients.map((c) => c.figures);
  const unhealthy = result.steps.filter((s) => s.kind === 'unhealthy');
  const unhealthyGaps = all.flatMap((f) => f.gaps).filter((g) => unhealthy.some((w) => g.from < w.to && g.to > w.from));
  return {
    sent: sum(all.map((f) => f.sent)),
    failed: sum(all.map((f) => f.failures.length)),
    retries: sum(all.map((f) => f.retries)),
    switchGapMs: Math.max(0, ...all.flatMap((f) => f.switchGapsMs)),
    unhealthyGapMs: Math.max(0, ...unhealthyGaps.map((g) => g.to - g.from)),
    longestGapMs: Math.max(...all.map((f) => f.longestGapMs)),
    changes: all.map((f) => f.versions.length - 1),
    asExpected: all.every((f) => f.versions.join() === result.expected.join()),
    unhealthyServedMs: Math.max(0, ...all.flatMap((f) => f.versions.flatMap((v, i) => (v === result.unhealthy ? [(f.versionTimes[i + 1] ?? epochMs()) - f.versionTimes[i]!] : [])))),
    seconds: result.seconds,
  };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const duration = (ms: number) => (ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`);

export function blueGreenSection(figures: StrategyFigures[], runs: number): string {
  const rows = figures.map(({ strategy, runs: per }) => {
    const m = (pick: (f: LoopFigures) => number) => median(per.map(pick));
    const gap = (pick: (f: LoopFigures) => number) => `${duration(m(pick))} (${duration(Math.max(...per.map(pick)))})`;
    const served = m((f) => f.unhealthyServedMs);
    const changes = per.every((f) => f.asExpected)
      ? `${DEPLOYS + 1}, as expected`
      : `${per.map((f) => f.changes.join('/')).join(', ')}${served > 0 ? `: the unhealthy release answered for ${duration(served)}` : ''}`;
    return `| ${strategy} | ${m((f) => f.sent).toFixed(0)} | ${m((f) => f.failed).toFixed(0)} | ${m((f) => f.retries).toFixed(0)} | ${gap((f) => f.switchGapMs)} | ${gap((f) => f.unhealthyGapMs)} | ${gap((f) => f.longestGapMs)} | ${changes} |`;
  });
  return [
    '## 5. Zero downtime: blue/green against recreate',
    '',
    `With r0 deployed to staging, ${DEPLOYS} deploys of new versions (r1…r${DEPLOYS}, each a commit changing the version the`,
    'sample service serves), one whose new version fails its health check (its `/healthz` removed; health timeout',
    '5 s), and one `/rollback` confirmed by an approver (back to r4), each step once the last has ended. Two clients',
    "send `GET /version` to the environment's address without pause, each in a process of its own: one on a kept-alive",
    'connection, one on a new connection each time. A request is sent again only when a kept-alive connection was',
    'closed before any answer came (as browsers, curl and Go do: see the README on Caddy); after a failed request a',
    'client waits 10 ms, so a closed port does not make it a busy loop. A gap is the time between two answers of a',
    'client: at a version change, from the last answer of the old version to the first of the new one. slipway runs',
    'as the tests run it (one process with its own Redis, a fake Slack for the rollback); blue/green goes through the',
    `Caddy slipway starts, drainSeconds 1. ${runs} runs of the whole loop each; medians of the per-run figures, the worst`,
    'run in brackets.',
    '',
    '| strategy | requests sent | failed or refused | sent again | longest gap at a version change | longest gap in the unhealthy deploy | longest gap anywhere | version changes per client |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '`recreate` stops the old container before the new one starts: at every deploy and at the rollback the port is',
    'closed until the new container listens (the gap at a version change is that downtime), and the unhealthy',
    'release is put on the port, where it answers `/version`, until its health check gives up and the old container',
    'is started again. `blue-green` starts the new release beside the old one and moves traffic in one Caddy admin',
    'call once it is healthy; the unhealthy release never gets traffic. Its gap at a switch is one request through a',
    'proxy reloading its config; its longer gaps come anywhere in the loop, not at the switches: they are moments',
    'when the two cores, shared by the clients, slipway, its builds, Redis, the Docker engine, Caddy and the',
    "containers, answered nobody for a while. No request failed. (`recreate`'s clients reach the container itself, with no",
    'proxy in between, so they send more requests in the same time.)',
    '',
  ].join('\n');
}

// `node dist-bench/bench/blue-green.js` (after `npm run bench`'s build, with its environment): prints the section.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const figures = await blueGreenBench(runs, (line) => console.error(`bench: ${line}`));
  console.error(JSON.stringify(figures));
  console.log(blueGreenSection(figures, runs));
}
