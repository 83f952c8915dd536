import type { OnceStore, RunQueue, RunStore } from '../core/ports.js';
import type { Run } from '../core/run.js';

import type { ServiceConfig } from '../core/config-schema.js';

export type StartRunDeps = { runs: RunStore; queue: RunQueue; once: OnceStore };

/** What starting a new run takes: the stores above, the services, ids and the time. */
export type NewRunDeps = StartRunDeps & {
  services: readonly ServiceConfig[];
  newRunId(service: string): string;
  now(): Date;
};

/**
 * Stores and queues a new run whose start was claimed under `claimKey`. If it cannot be queued, the claim and
 * the record are undone, so asking again (a redelivery, another click) starts it instead of pointing at a run
 * that never queued. The store asks for the run's Slack message at once, not when a worker is free.
 */
export async function startRun(run: Run, claimKey: string, deps: StartRunDeps): Promise<void> {
  try {
    await deps.runs.create(run);
    await deps.queue.enqueue(run);
  } catch (error) {
    await Promise.allSettled([deps.once.forget(claimKey), deps.runs.delete(run.id)]);
    throw error;
  }
}
