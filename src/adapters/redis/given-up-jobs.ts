import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { openQueue, BULLMQ_PREFIX } from './bull-queues.js';
import { reportConnectionErrors } from './redis-connection.js';

/**
 * Tells `givenUp` each job of the queue BullMQ has given up on: its worker died more often than a job may
 * stall, or every attempt threw. An attempt that will be retried is not told. Answers what stops listening.
 */
export function onGivenUpJobs(
  queueName: string,
  connections: { connection: Redis; eventsConnection: Redis },
  givenUp: (data: unknown, failedReason: string, jobId: string) => Promise<void>,
  onError: (error: unknown, jobId: string) => void,
): () => Promise<void> {
  const queue = openQueue(queueName, connections.connection);
  const events = new QueueEvents(queueName, { connection: connections.eventsConnection, prefix: BULLMQ_PREFIX });
  reportConnectionErrors(events);
  events.on('failed', ({ jobId, failedReason }) => {
    void (async () => {
      const job = await queue.getJob(jobId);
      if (!job || (await job.getState()) !== 'failed') return;
      await givenUp(job.data, failedReason, jobId);
    })().catch((error: unknown) => onError(error, jobId));
  });
  return async () => {
    await events.close();
    await queue.close();
  };
}
