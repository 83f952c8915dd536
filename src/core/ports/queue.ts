import type { Lock } from '../approval-policy.js';
import type { Run } from '../run.js';

export interface RunQueue {
  /**
   * Idempotent per run id and `step`: enqueueing the same pair twice queues one job. A run is enqueued again
   * after each gate it passes, under a new step.
   */
  enqueue(run: Run, step?: string): Promise<void>;
  /** Takes a run that no worker has started off the queue; false when one has. */
  remove(run: Run): Promise<boolean>;
}

/**
 * Something about a run changed: Slack should show it. The stores announce it themselves
 * (adapters/store/announcing-stores.ts) whenever a run, its approval or its environment's lock changes.
 */
export interface RunEvents {
  changed(runId: string): Promise<void>;
}

/** What happens later, by delayed jobs rather than a worker waiting: approval expiries, lock reminders. */
export interface GateScheduler {
  /** One reminder per holding of a lock (who and since when); the same lock taken twice schedules one. */
  remindLockHolder(lock: Lock, at: Date): Promise<void>;
  /** The request's expiry at `at`; scheduling it again changes nothing. */
  scheduleExpiry(runId: string, environment: string, at: Date): Promise<void>;
}
