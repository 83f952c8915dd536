import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { RedisRunStore } from '../src/adapters/store/redis-run-store.js';
import type { Run } from '../src/core/run.js';
import { served, until } from '../test/helpers/run-watch.js';
import type { SampleRepo } from '../test/helpers/sample-repo.js';
import { since } from './stats.js';

const run = promisify(execFile);

/** "checkout 120 ms, test 800 ms, …": where a run's time went, and how long it waited for a worker. */
export const stageTimes = (r: Run) =>
  r.stages.map((s) => `${s.name} ${s.startedAt && s.finishedAt ? Date.parse(s.finishedAt) - Date.parse(s.startedAt) : '?'} ms`).join(', ') +
  ` (queued ${Date.parse(r.stages[0]?.startedAt ?? r.createdAt) - Date.parse(r.createdAt)} ms)`;

/** What the environment serves now; nothing while its container is being replaced. */
const servedNow = (port: number) => served(port).catch(() => '');

/** The run once it passed; a failed one throws saying where. */
export const passedRun = (runs: RedisRunStore, runId: string) =>
  until(async () => {
    const r = await runs.get(runId);
    if (r?.status === 'failed') throw new Error(`run ${runId} failed at ${r.failure?.stage}: ${r.failure?.cause}`);
    return r?.status === 'passed' ? r : undefined;
  }, `run ${runId}`, 300_000, 20);

export type RoundsSetup = {
  repo: SampleRepo;
  runStore: RedisRunStore;
  /** Where slipway's staging and the floor's container listen. */
  ports: readonly [number, number];
  /** The floor's image, tagged per round. */
  image: string;
  floorContainer: string;
  log: (line: string) => void;
};

type Side = 'slipway' | 'floor' | 'floorAtOnce';

/**
 * Rounds of push → staging answering with the new version: slipway against `floor-pipeline.sh` (clone, both
 * builds, push, replace the container, health poll), and with `atOnce` also against the script running its two
 * builds together; the order turns each round. Every side starts at the push; each round commits a version new
 * to the engine, so all build the same fresh layers. Answers each side's times, and slipway's runs.
 */
export async function pushRounds(setup: RoundsSetup, rounds: number, { atOnce = false } = {}): Promise<Record<Side, number[]> & { runs: Run[] }> {
  const { repo, ports: [slipwayPort, floorPort], log } = setup;
  const per = { slipway: [] as number[], floor: [] as number[], floorAtOnce: [] as number[], runs: [] as Run[] };
  // Unique across invocations too: content the engine saw before would let its layer cache skip the build.
  const nonce = randomBytes(4).toString('hex');
  const sides: Side[] = atOnce ? ['slipway', 'floor', 'floorAtOnce'] : ['slipway', 'floor'];
  for (let round = 0; round < rounds; round += 1) {
    for (const who of [...sides.slice(round % sides.length), ...sides.slice(0, round % sides.length)]) {
      const version = `${who}-${round}-${nonce}`;
      const sha = await repo.commit({ 'www/version': `${version}\n` }, `Version ${version}`);
      const start = performance.now();
      if (who === 'slipway') {
        const { runId } = await repo.push('main');
        await until(async () => ((await servedNow(slipwayPort)) === version ? true : undefined), `slipway to serve ${version}`, 300_000, 20);
        per.slipway.push(since(start));
        per.runs.push(await passedRun(setup.runStore, runId!));
      } else {
        // The floor clones what the git host has: a branch slipway has no route for.
        await repo.push('HEAD:refs/heads/floor');
        const builds = who === 'floorAtOnce' ? 'at-once' : 'one-after-the-other';
        await run('bash', ['bench/floor-pipeline.sh', repo.url, sha, `${setup.image}:${who}-${round}`, setup.floorContainer, String(floorPort), builds]);
        if ((await servedNow(floorPort)) !== version) throw new Error('the floor script deployed the wrong version');
        per[who].push(since(start));
      }
      log(`round ${round + 1} ${who}: ${(per[who].at(-1)! / 1000).toFixed(2)} s`);
    }
  }
  return per;
}

/** The floor's container, after the rounds. */
export const removeFloor = (name: string) => run('docker', ['rm', '-f', name]).then(() => undefined, () => undefined);
