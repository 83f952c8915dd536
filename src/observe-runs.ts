import { watchedRunStore } from './adapters/store/watched-run-store.js';
import { commitState } from './core/commit-state.js';
import type { RunStore } from './core/ports.js';
import { isFinished, type Run } from './core/run.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';

/**
 * The run store with what follows a run's changes: each ended run counted, and the commit's status reported
 * to its git host whenever slipway's verdict changes — one chain of reports per run, so the host ends on the
 * latest verdict even if a call is slow.
 */
export function observeRuns(
  store: RunStore,
  { metrics, statuses, log }: { metrics: Metrics; statuses: { report(run: Run): Promise<void> }; log: Logger },
): RunStore {
  const reporting = new Map<string, Promise<void>>();
  return watchedRunStore(store, (run, before) => {
    if (isFinished(run) && (!before || !isFinished(before))) metrics.runs.inc({ service: run.service, outcome: run.status });
    const verdict = commitState(run);
    if (!verdict || JSON.stringify(verdict) === JSON.stringify(before && commitState(before))) return;
    const next = (reporting.get(run.id) ?? Promise.resolve())
      .then(() => statuses.report(run))
      .catch((error: unknown) => log.warn({ err: error, runId: run.id }, 'cannot report the commit status'))
      .finally(() => {
        if (reporting.get(run.id) === next) reporting.delete(run.id);
      });
    reporting.set(run.id, next);
  });
}
