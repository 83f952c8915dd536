import { type Run, stageEnvironment } from './run.js';

/**
 * The `environment` label of a run's metrics: the environment its branch routes to. Every ephemeral environment
 * is one label value, `ephemeral`: one per branch would grow the series without bound.
 */
export function runEnvironmentLabel(run: Pick<Run, 'target'>): string {
  return run.target.ephemeral ? 'ephemeral' : run.target.environment;
}

/** The `environment` label of a stage: the environment it belongs to (`deploy:staging`), else its run's. */
export function stageEnvironmentLabel(run: Pick<Run, 'target'>, stage: string): string {
  const own = stageEnvironment(stage);
  if (!own || run.target.ephemeral) return runEnvironmentLabel(run);
  return own;
}

/** Seconds from a run's creation to its last change (its end, once it has ended), waits at gates included. */
export function runSeconds(run: Pick<Run, 'createdAt' | 'updatedAt'>): number | undefined {
  const seconds = (Date.parse(run.updatedAt) - Date.parse(run.createdAt)) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, seconds) : undefined;
}
