import type { ServiceConfig } from '../core/config-schema.js';
import { RUNS_QUEUE } from '../core/jobs.js';
import type { OnceStore, RunQueue, RunStore } from '../core/ports.js';
import type { Run } from '../core/run.js';
import { activeTraceparent, ATTR, inSpan, SpanKind } from '../core/tracing.js';

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
 * that never queued (nor a job whose run was not stored). The store asks for the run's Slack message at once,
 * not when a worker is free.
 */
export async function startRun(run: Run, claimKey: string, deps: StartRunDeps): Promise<void> {
  // The run's trace: this span, a child of the request that started it, and the parent of the workers' spans.
  const attributes = { [ATTR.runId]: run.id, [ATTR.service]: run.service, [ATTR.messagingSystem]: 'bullmq', [ATTR.messagingDestination]: RUNS_QUEUE, [ATTR.messagingOperation]: 'send' };
  await inSpan(`send ${RUNS_QUEUE}`, { kind: SpanKind.PRODUCER, attributes }, async () => {
    const traceparent = activeTraceparent();
    await storeAndQueue(traceparent ? { ...run, traceparent } : run, claimKey, deps);
  });
}

async function storeAndQueue(run: Run, claimKey: string, deps: StartRunDeps): Promise<void> {
  // The record first, so a worker never takes a job whose run is not stored yet: the queue has a Redis
  // connection of its own (compose/redis.ts), so sending both at once would not keep that order.
  try {
    await deps.runs.create(run);
    await deps.queue.enqueue(run);
  } catch (error) {
    await Promise.allSettled([deps.once.forget(claimKey), deps.runs.delete(run.id)]);
    throw error;
  }
}
