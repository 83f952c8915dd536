import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { reportConnectionErrors } from '../adapters/redis/redis-connection.js';
import { BULLMQ_PREFIX } from '../adapters/store/redis-keys.js';
import type { RunStore } from '../core/ports.js';
import { failRun, isFinished, nextStage } from '../core/run.js';
import type { Logger } from '../log.js';
import type { RunEvents } from './notifier.js';
import { RUNS_QUEUE, RunJobData } from './run-queue.js';

export type AbandonedRunDeps = { runs: RunStore; events: RunEvents; log: Logger; now(): Date };

/**
 * A run is never left "running" when BullMQ gives up on its job: its worker died more often than a job may
 * stall (killed, out of memory), or every attempt threw. The run fails at the stage it was in, saying so,
 * and Slack is told. Every worker listens; the first to save the failure wins, the others find it finished.
 */
export function failAbandonedRuns(connection: Redis, eventsConnection: Redis, deps: AbandonedRunDeps): () => Promise<void> {
  const queue = new Queue<RunJobData>(RUNS_QUEUE, { connection, prefix: BULLMQ_PREFIX });
  const events = new QueueEvents(RUNS_QUEUE, { connection: eventsConnection, prefix: BULLMQ_PREFIX });
  reportConnectionErrors(events);
  reportConnectionErrors(queue);
  events.on('failed', ({ jobId, failedReason }) => {
    void (async () => {
      const job = await queue.getJob(jobId);
      // Only a job BullMQ has given up on; an attempt that will be retried is not the end of the run.
      if (!job || (await job.getState()) !== 'failed') return;
      const parsed = RunJobData.safeParse(job.data);
      if (!parsed.success) return;
      const run = await deps.runs.get(parsed.data.runId);
      if (!run || isFinished(run) || run.status === 'waiting') return;
      const stage = run.stages.find((s) => s.status === 'running')?.name ?? nextStage(run)?.name ?? 'checkout';
      const why = /stalled/.test(failedReason) ? 'the worker running it stopped mid-stage too many times (killed or out of memory)' : `its job failed: ${failedReason}`;
      await deps.runs.save(failRun(run, stage, `${why}; press Retry to run it again`, deps.now()));
      await deps.events.changed(run.id);
      deps.log.error({ runId: run.id, jobId, failedReason }, 'run failed: its job was given up');
    })().catch((error: unknown) => deps.log.error({ err: error, jobId }, 'cannot fail the run of a failed job'));
  });
  return async () => {
    await events.close();
    await queue.close();
  };
}
