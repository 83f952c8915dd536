import type { ServiceConfig } from '../core/config-schema.js';
import { deliveryStats, type DeliveryStats, type StatsWindow } from '../core/delivery-stats.js';
import type { DeploymentStore, RunStore } from '../core/ports.js';
import type { Run } from '../core/run.js';

/** The store keeps this many deployments per environment; the figures read no more. */
export const HISTORY_READ = 200;
/** Runs of the service read to find commit times when a deploying run carries no commits (a `/deploy`). */
const RUNS_READ = 200;

/**
 * The four figures of each of the service's environments over `window`: its deployment history (bounded by
 * what the store keeps), and the runs that made those deployments, read once each.
 */
export async function deliveryFigures(
  deps: { deployments: DeploymentStore; runs: RunStore },
  service: ServiceConfig,
  window: StatsWindow,
  now: Date,
): Promise<DeliveryStats[]> {
  const histories = await Promise.all(service.environments.map((e) => deps.deployments.history(service.name, e.name, HISTORY_READ)));
  const ids = [...new Set(histories.flat().map((d) => d.runId))];
  const runs = (await Promise.all(ids.map((id) => deps.runs.get(id)))).filter((r): r is Run => r !== undefined);
  // A run without commits (a /deploy, a rollback) takes its commit times from the push run of its sha.
  const needsOthers = runs.some((r) => r.commits.length === 0);
  const others = needsOthers ? await deps.runs.listByService(service.name, RUNS_READ) : [];
  const all = [...runs, ...others.filter((r) => !ids.includes(r.id))];
  return service.environments.map((e, i) => deliveryStats(service.name, e.name, histories[i] ?? [], all, window, now));
}
