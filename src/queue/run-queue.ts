import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { RunQueue } from '../core/ports.js';
import type { Run } from '../core/run.js';
import { BULLMQ_PREFIX } from '../adapters/store/redis-keys.js';
import { reportConnectionErrors } from '../adapters/redis/redis-connection.js';

export const RUNS_QUEUE = 'runs';

/** Job data carries only the run id: the run itself (and never a secret) lives in the store. */
export const RunJobData = z.object({ runId: z.string().min(1), stage: z.string().optional() });
export type RunJobData = z.infer<typeof RunJobData>;

export class BullRunQueue implements RunQueue {
  readonly queue: Queue<RunJobData>;

  constructor(connection: Redis) {
    this.queue = new Queue<RunJobData>(RUNS_QUEUE, { connection, prefix: BULLMQ_PREFIX });
    reportConnectionErrors(this.queue);
  }

  async enqueue(run: Run, step?: string): Promise<void> {
    await this.queue.add(run.trigger, { runId: run.id }, {
      jobId: step ? `${run.id}-${step}` : run.id,
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    });
  }

  async remove(run: Run): Promise<boolean> {
    const job = await this.queue.getJob(run.id);
    if (!job) return true;
    try {
      await job.remove();
      return true;
    } catch {
      // A worker holds the job's lock: it is running.
      return false;
    }
  }

  async counts(): Promise<{ waiting: number; active: number; delayed: number }> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed');
    return { waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0 };
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
