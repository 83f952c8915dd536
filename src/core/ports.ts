import type { Run } from './run.js';

/** Interfaces the adapters implement; core and intake depend on these, never on Redis or BullMQ. */

export interface RunStore {
  create(run: Run): Promise<void>;
  get(id: string): Promise<Run | undefined>;
  /** Only to undo a run that could not be queued. */
  delete(id: string): Promise<void>;
  /** Newest first. */
  listByService(service: string, limit?: number): Promise<Run[]>;
}

export interface RunQueue {
  /** Idempotent per run id: enqueueing the same run twice queues one job. */
  enqueue(run: Run): Promise<void>;
}

/** Remembers that something happened once (a webhook delivery, a Slack request) and what was answered. */
export interface OnceStore {
  /** Stores `value` under `key` if nothing is there; returns the earlier value when there was one. */
  claim(key: string, value: string, ttlSeconds: number): Promise<string | undefined>;
  forget(key: string): Promise<void>;
}

export interface HealthProbe {
  readonly name: string;
  /** Resolves when reachable; rejects with a message saying what is wrong. */
  check(): Promise<void>;
}
