import { newRun, type Run } from '../core/run.js';
import { planStages, teardownStages } from '../core/stage-plan.js';
import { type NewRunDeps, startRun } from './start-run.js';

export type RetryDeps = NewRunDeps;

export type RetryAnswer = { runId: string; first: boolean };

/**
 * A new run of the same commit to the same environment, planned afresh from today's config. Once per run:
 * a second click (or a second person) is told the id of the retry already started.
 */
export async function retryRun(
  runId: string,
  by: { name: string; username?: string },
  deps: RetryDeps,
  { fromFailedStage = false } = {},
): Promise<RetryAnswer> {
  const old = await deps.runs.get(runId);
  if (!old) throw new Error(`run ${runId} is not known (runs are kept 30 days)`);
  const service = deps.services.find((s) => s.name === old.service);
  if (!service) throw new Error(`service ${old.service} is no longer in slipway.yml`);
  const failedAt = old.stages.findIndex((s) => s.name === old.failure?.stage);
  if (fromFailedStage && (failedAt < 0 || !old.release)) throw new Error(`run ${runId} did not fail after building a release`);
  const claimKey = `${fromFailedStage ? 'rerun' : 'retry'}:${runId}`;
  const id = deps.newRunId(service.name);
  const earlier = await deps.once.claim(claimKey, id, 30 * 24 * 3600);
  if (earlier !== undefined) return { runId: earlier, first: false };
  const run: Run = newRun(
    {
      id,
      service: service.name,
      trigger: old.trigger === 'delete' ? 'delete' : 'retry',
      branch: old.branch,
      sha: old.sha,
      before: old.before,
      author: old.author,
      triggeredBy: by,
      commits: old.commits,
      cloneUrl: old.cloneUrl,
      source: old.source,
      target: old.target,
      stages: fromFailedStage
        ? old.stages.slice(failedAt).map((s) => s.name)
        : old.trigger === 'delete'
          ? teardownStages(old.target)
          : planStages(service, old.target),
      retryOf: old.id,
    },
    deps.now(),
  );
  // Re-running checks keeps the release: nothing is rebuilt or redeployed before them.
  if (fromFailedStage && old.release) Object.assign(run, { release: old.release, quality: old.quality });
  await startRun(run, claimKey, deps);
  return { runId: run.id, first: true };
}
