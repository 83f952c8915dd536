import type { Run } from './run.js';

/** Interfaces the adapters implement; core and intake depend on these, never on Redis or BullMQ. */

export interface RunStore {
  create(run: Run): Promise<void>;
  /** Overwrites the stored run with this state. */
  save(run: Run): Promise<void>;
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

export type Release = {
  service: string;
  sha: string;
  branch: string;
  image: string;
  tag: string;
  digest: string;
  runId: string;
  createdAt: string;
  coverage?: number;
  tests?: { total: number; passed: number; failed: number; skipped: number };
};

/** Built once per service and sha; every environment gets the same digest. */
export interface ReleaseStore {
  get(service: string, sha: string): Promise<Release | undefined>;
  save(release: Release): Promise<void>;
  /** The newest release built from `branch`: the baseline coverage is compared against. */
  latestOnBranch(service: string, branch: string): Promise<Release | undefined>;
}

export type DeploymentOutcome = 'succeeded' | 'failed' | 'torn down';

export type Deployment = {
  service: string;
  environment: string;
  release: Pick<Release, 'sha' | 'tag' | 'digest' | 'image'>;
  port: number;
  runId: string;
  by: string;
  at: string;
  outcome: DeploymentOutcome;
  cause?: string;
};

/** The history per environment, newest first: what rollback and /status read. */
export interface DeploymentStore {
  record(deployment: Deployment): Promise<void>;
  history(service: string, environment: string, limit?: number): Promise<Deployment[]>;
  /** The release running there now: the newest succeeded deployment, unless torn down since. */
  current(service: string, environment: string): Promise<Deployment | undefined>;
}

/** Ports of ephemeral environments, taken from the service's range and given back on teardown. */
export interface PortStore {
  allocate(service: string, environment: string, range: { from: number; to: number }): Promise<number>;
  free(service: string, environment: string): Promise<void>;
  get(service: string, environment: string): Promise<number | undefined>;
}

/** Each stage's output, bounded, by run and stage. */
export interface LogStore {
  append(runId: string, stage: string, lines: readonly string[]): Promise<void>;
  read(runId: string, stage: string): Promise<string[]>;
}

/** A lease held by one owner at a time; it lapses after its time so a dead worker cannot hold it forever. */
export interface Lease {
  acquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  renew(key: string, owner: string, ttlMs: number): Promise<boolean>;
  release(key: string, owner: string): Promise<void>;
}
