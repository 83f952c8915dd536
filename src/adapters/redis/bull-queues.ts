import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Lock } from '../../core/approval-policy.js';
import { EXPIRE_JOB, GATES_QUEUE, type GateJob, NOTIFICATIONS_QUEUE, REMIND_LOCK_JOB, type ReminderJob, RUNS_QUEUE, type RunJobData } from '../../core/jobs.js';
import type { GateScheduler, RunEvents, RunQueue } from '../../core/ports.js';
import type { Run } from '../../core/run.js';
import { reportConnectionErrors } from './redis-connection.js';

/** BullMQ's keys live under `slipway:` like every other key of slipway's (DESIGN.md). */
export const BULLMQ_PREFIX = 'slipway:q';

export function openQueue<Data>(name: string, connection: Redis): Queue<Data> {
  const queue = new Queue<Data>(name, { connection, prefix: BULLMQ_PREFIX });
  reportConnectionErrors(queue);
  return queue;
}

export class BullRunQueue implements RunQueue {
  readonly queue: Queue<RunJobData>;

  constructor(connection: Redis) {
    this.queue = openQueue<RunJobData>(RUNS_QUEUE, connection);
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

  close(): Promise<void> {
    return this.queue.close();
  }
}

export class BullRunEvents implements RunEvents {
  readonly queue: Queue<RunJobData>;

  constructor(connection: Redis) {
    this.queue = openQueue<RunJobData>(NOTIFICATIONS_QUEUE, connection);
  }

  async changed(runId: string): Promise<void> {
    // One waiting job per run is enough: it renders the run as it is when it runs. keepLastIfActive queues one
    // more behind an active job, so a change made while Slack is being updated is never dropped.
    await this.queue.add('run-changed', { runId }, {
      deduplication: { id: runId, keepLastIfActive: true },
      attempts: 12,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600 },
    });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export class BullGateScheduler implements GateScheduler {
  readonly queue: Queue<GateJob>;

  /** `now` is slipway's clock: due times are on it, so a test's fixed clock still gets real delays. */
  constructor(connection: Redis, private readonly now: () => Date = () => new Date()) {
    this.queue = openQueue<GateJob>(GATES_QUEUE, connection);
  }

  async remindLockHolder(lock: Lock, at: Date): Promise<void> {
    const data: ReminderJob = { service: lock.service, environment: lock.environment, by: lock.by, at: lock.at };
    await this.queue.add(REMIND_LOCK_JOB, data, {
      jobId: `remind-${lock.service}-${lock.environment}-${lock.by}-${Date.parse(lock.at)}-${at.getTime()}`,
      delay: this.delayUntil(at),
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }

  async scheduleExpiry(runId: string, environment: string, at: Date): Promise<void> {
    await this.queue.add(EXPIRE_JOB, { runId, environment }, {
      jobId: `expire-${runId}-${environment}`,
      delay: this.delayUntil(at),
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
      attempts: 5,
      backoff: { type: 'exponential', delay: 5_000 },
    });
  }

  private delayUntil(at: Date): number {
    return Math.max(0, at.getTime() - this.now().getTime());
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
