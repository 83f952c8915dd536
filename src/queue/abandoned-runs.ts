import { RunJobData } from '../core/jobs.js';
import type { Logger, RunStore } from '../core/ports.js';
import { failRun, isFinished, nextStage } from '../core/run.js';

export type AbandonedRunDeps = { runs: RunStore; log: Logger; now(): Date };

/**
 * A run is never left "running" when the queue gives up on its job (its worker died too often, or every
 * attempt threw): the run fails at the stage it was in, saying so. Every worker is told; the first to save
 * the failure wins, the others find it finished.
 */
export async function failAbandonedRun(jobData: unknown, failedReason: string, deps: AbandonedRunDeps): Promise<void> {
  const parsed = RunJobData.safeParse(jobData);
  if (!parsed.success) return;
  const run = await deps.runs.get(parsed.data.runId);
  if (!run || isFinished(run) || run.status === 'waiting') return;
  const stage = run.stages.find((s) => s.status === 'running')?.name ?? nextStage(run)?.name ?? 'checkout';
  const why = /stalled/.test(failedReason) ? 'the worker running it stopped mid-stage too many times (killed or out of memory)' : `its job failed: ${failedReason}`;
  await deps.runs.save(failRun(run, stage, `${why}; press Retry to run it again`, deps.now()));
  deps.log.error({ runId: run.id, failedReason }, 'run failed: its job was given up');
}
