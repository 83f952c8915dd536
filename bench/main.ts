import { readFile, writeFile } from 'node:fs/promises';
import { ackLatency, ackSection } from './ack-latency.js';
import { blueGreenBench, blueGreenSection } from './blue-green.js';
import { buildCacheBench, buildCacheSection } from './build-cache.js';
import { imageSize, imageSizeSection } from './image-size.js';
import { machine } from './machine.js';
import { BRANCH_COUNTS, type BranchFigures, branchesSection, manyBranches } from './many-branches.js';
import { pipelineOverhead, pipelineSection } from './pipeline-overhead.js';
import { report } from './report.js';
import { stubbornSection, stubbornServiceBench } from './stubborn-service.js';
import { intakeSection, webhookIntake } from './webhook-intake.js';

/**
 * `npm run bench [names…]`: runs the benchmarks (all by default) and writes BENCHMARKS.md. Each figure is
 * shown next to its floor, measured in the same run, and as a ratio to it. Naming some replaces only their
 * sections; the others are kept as they were measured.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const wanted = new Set(process.argv.slice(2));
const want = (name: string) => wanted.size === 0 || wanted.has(name);
const log = (line: string) => console.error(`bench: ${line}`);

const benches: Record<string, () => Promise<string>> = {
  ack: async () => ackSection(await ackLatency(RUNS, log)),
  intake: async () => intakeSection(await webhookIntake(RUNS, log)),
  pipeline: async () => pipelineSection(await pipelineOverhead(RUNS, log)),
  branches: async () => {
    const figures: BranchFigures[] = [];
    for (const count of BRANCH_COUNTS) figures.push(await manyBranches(count, log));
    // The pair's peak moves by some 20 MiB from run to run: it is measured RUNS times, the median shown.
    const split: BranchFigures[] = [];
    for (let run = 0; run < RUNS; run += 1) split.push(await manyBranches(BRANCH_COUNTS.at(-1)!, log, { split: true }));
    return branchesSection(figures, split);
  },
  'blue-green': async () => blueGreenSection(await blueGreenBench(RUNS, log), RUNS),
  sigterm: async () => stubbornSection(await stubbornServiceBench(RUNS, log)),
  'build-cache': async () => buildCacheSection(await buildCacheBench(RUNS, log), RUNS),
  'image-size': async () => imageSizeSection(await imageSize(log)),
};

const unknown = [...wanted].filter((name) => !(name in benches));
if (unknown.length > 0) throw new Error(`no benchmark named ${unknown.join(', ')}; the benchmarks are ${Object.keys(benches).join(', ')}`);

const sections: string[] = [];
for (const [name, bench] of Object.entries(benches)) if (want(name)) sections.push(await bench());

const earlier = wanted.size === 0 ? '' : await readFile('BENCHMARKS.md', 'utf8').catch(() => '');
const today = new Date().toISOString().slice(0, 10);
await writeFile('BENCHMARKS.md', report({ earlier, sections, machine: await machine(), today, runs: RUNS, partial: wanted.size > 0 }));
log('wrote BENCHMARKS.md');
