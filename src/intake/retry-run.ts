import type { ServiceConfig } from '../core/config-schema.js';
import type { OnceStore, RunQueue, RunStore } from '../core/ports.js';
import { newRun, type Run } from '../core/run.js';
import { planStages, teardownStages } from '../core/stage-plan.js';
import type { RunEvents } from '../queue/notifier.js';
import { startRun } from './start-run.js';

export type RetryDeps = {
  services: readonly ServiceConfig[];
  runs: RunStore;
  queue: RunQueue;
  events: RunEvents;
  once: OnceStore;
  newRunId(service: string): string;
  now(): Date;
};

export type RetryAnswer = { runId: string; first: boolean };

/**
 * A new run of the same commit to the same environment, planned afresh from today's config. Once per run:
 * a second click (or a second person) is told the id of the retry already started.
 */
export async function retryRun(runId: string, by: { name: string; username?: string }, deps: RetryDeps): Promise<RetryAnswer> {
  const old = await deps.runs.get(runId);
  if (!old) throw new Error(`run ${runId} is not known (runs are kept 30 days)`);
  const service = deps.services.find((s) => s.name === old.service);
  if (!service) throw new Error(`service ${old.service} is no longer in slipway.yml`);
  const id = deps.newRunId(service.name);
  const earlier = await deps.once.claim(`retry:${runId}`, id, 30 * 24 * 3600);
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
      target: old.target,
      stages: old.trigger === 'delete' ? teardownStages(old.target) : planStages(service, old.target),
      retryOf: old.id,
    },
    deps.now(),
  );
  await startRun(run, `retry:${runId}`, deps);
  return { runId: run.id, first: true };
}
