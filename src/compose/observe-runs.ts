import { watchedRunStore } from '../adapters/store/watched-run-store.js';
import { commitState } from '../core/commit-state.js';
import { runEnvironmentLabel, runSeconds } from '../core/metric-labels.js';
import type { RunStore } from '../core/ports.js';
import { isFinished, type Run } from '../core/run.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

type Reporter = { report(run: Run): Promise<void> };
type ChangeReporter = { report(run: Run, before: Run | undefined): Promise<void> };

/**
 * The run store with what follows a run's changes: each ended run counted, the commit's status reported to its
 * git host whenever the run's status changes slipway's verdict, and its deployments recorded as its stages
 * move — one chain of reports per run, so the host ends on the latest state even if a call is slow.
 */
export function observeRuns(
  store: RunStore,
  { metrics, statuses, deployments, answers, log }: { metrics: Metrics; statuses: Reporter; deployments?: Reporter; /** a pull request's answer comment */ answers?: ChangeReporter; log: Logger },
): RunStore {
  const reporting = new Map<string, Promise<void>>();
  return watchedRunStore(store, (run, before) => {
    if (isFinished(run) && (!before || !isFinished(before))) {
      metrics.runs.inc({ service: run.service, outcome: run.status });
      const seconds = runSeconds(run);
      if (seconds !== undefined) metrics.runSeconds.observe({ service: run.service, environment: runEnvironmentLabel(run), outcome: run.status }, seconds);
    }
    const verdict = commitState(run);
    const newVerdict = !!verdict && before?.status !== run.status && JSON.stringify(verdict) !== JSON.stringify(before && commitState(before));
    const answering = !!answers && !!run.pullRequest && before?.status !== run.status;
    if (!newVerdict && !deployments && !answering) return;
    const next = (reporting.get(run.id) ?? Promise.resolve())
      .then(() => (newVerdict ? statuses.report(run) : undefined))
      .catch((error: unknown) => log.warn({ err: error, runId: run.id }, 'cannot report the commit status'))
      .then(() => deployments?.report(run))
      .catch((error: unknown) => log.warn({ err: error, runId: run.id }, 'cannot record the deployment on GitHub'))
      .then(() => (answering ? answers?.report(run, before) : undefined))
      .catch((error: unknown) => log.warn({ err: error, runId: run.id }, 'cannot write the outcome in the pull request'))
      .finally(() => {
        if (reporting.get(run.id) === next) reporting.delete(run.id);
      });
    reporting.set(run.id, next);
  });
}
