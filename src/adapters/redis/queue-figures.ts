import type { Queue } from 'bullmq';

/** The states a queue's depth is read in (`waiting` leaves out prioritized jobs since BullMQ 4: both are waiting). */
export const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const;

export type QueueFigures = {
  queue: string;
  jobs: Record<(typeof QUEUE_STATES)[number], number>;
  /** Seconds the oldest waiting job has waited (since it was due, for a job added with a delay); absent when none waits. */
  oldestWaitingSeconds?: number;
};

/**
 * A queue's depth by state and the age of its oldest waiting job: one counting call (LLEN/ZCARD per state) and
 * one read of the job at the tail of the wait list, whatever the queue holds.
 */
export async function queueFigures(queue: Queue, now: Date): Promise<QueueFigures> {
  const [counts, [oldest]] = await Promise.all([queue.getJobCounts(...QUEUE_STATES), queue.getWaiting(0, 0)]);
  const jobs = Object.fromEntries(QUEUE_STATES.map((s) => [s, counts[s] ?? 0])) as QueueFigures['jobs'];
  if (!oldest) return { queue: queue.name, jobs };
  const dueAt = oldest.timestamp + (oldest.delay ?? 0);
  return { queue: queue.name, jobs, oldestWaitingSeconds: Math.max(0, (now.getTime() - dueAt) / 1000) };
}
