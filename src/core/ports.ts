import type { Lock } from './approval-policy.js';
import type { Vote } from './approval-rules.js';
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
  /**
   * Idempotent per run id and `step`: enqueueing the same pair twice queues one job. A run is enqueued again
   * after each gate it passes, under a new step.
   */
  enqueue(run: Run, step?: string): Promise<void>;
  /** Takes a run that no worker has started off the queue; false when one has. */
  remove(run: Run): Promise<boolean>;
}

/** Remembers that something happened once (a webhook delivery, a Slack request) and what was answered. */
export interface OnceStore {
  /** Stores `value` under `key` if nothing is there; returns the earlier value when there was one. */
  claim(key: string, value: string, ttlSeconds: number): Promise<string | undefined>;
  forget(key: string): Promise<void>;
  /** The value under `key`, if any, without claiming it. */
  peek(key: string): Promise<string | undefined>;
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

/** The history per environment, newest first: what rollback and /slipway status read. */
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

export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'expired' | 'superseded' | 'cancelled';

/** One promotion waiting at (or past) an environment's gate: bound to the release it would promote. */
export type Approval = {
  runId: string;
  service: string;
  environment: string;
  digest: string;
  tag: string;
  sha: string;
  state: ApprovalState;
  requestedAt: string;
  expiresAt: string;
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
  /** Opened to break a freeze (`/deploy force`): it needs one approver more than usual. */
  breakGlass?: boolean;
  /** slipway's signature over (run, environment, digest), made when the request was opened: see approval-grant.ts. */
  signature?: string;
  /**
   * What the environment ran when the request was opened: the card's "from". Read then, not at render time,
   * so that after the promotion the card still shows what was replaced, not the release itself.
   */
  from?: { tag: string; sha: string; runId: string };
};

export type Decision = { state: Exclude<ApprovalState, 'pending'>; by: string; at: string; reason?: string };

export interface ApprovalStore {
  /** Opens a request; answers the older pending requests of the same gate, which are superseded by it. */
  open(approval: Approval): Promise<Approval[]>;
  get(runId: string, environment: string): Promise<Approval | undefined>;
  /** Exactly once: only a pending request whose time has not run out takes the decision; else answers it as it is. */
  decide(runId: string, environment: string, decision: Decision): Promise<{ ok: boolean; approval: Approval }>;
  pending(service: string): Promise<Approval[]>;
  /** Records one person's Approve towards the request; false when they had already approved it. */
  vote(runId: string, environment: string, vote: Vote): Promise<boolean>;
  /** In the order they came. */
  votes(runId: string, environment: string): Promise<Vote[]>;
}

/** Someone waiting for a lock: they get it, with their reason, when the holder unlocks. */
export type LockWaiter = { by: string; reason: string; at: string };

export interface LockStore {
  get(service: string, environment: string): Promise<Lock | undefined>;
  /** Takes the lock, or answers the lock someone else holds. The holder taking it again edits the reason. */
  take(lock: Lock): Promise<{ ok: boolean; lock: Lock; edited?: boolean }>;
  /** Unlocks; the first in the queue gets the lock at once, and is answered. */
  release(service: string, environment: string, at: Date): Promise<Lock | undefined>;
  list(service: string): Promise<Lock[]>;
  /** Joins the queue (once per person); answers the place in it, from 1. */
  enqueue(service: string, environment: string, waiter: LockWaiter): Promise<number>;
  queue(service: string, environment: string): Promise<LockWaiter[]>;
}

/** A release taken out of an environment by a rollback: automatic promotion skips it until it is lifted. */
export type Quarantine = { service: string; environment: string; digest: string; tag: string; by: string; at: string; reason: string };

export interface QuarantineStore {
  add(quarantine: Quarantine): Promise<void>;
  get(service: string, environment: string, digest: string): Promise<Quarantine | undefined>;
  /** Newest first. */
  list(service: string, environment: string): Promise<Quarantine[]>;
  remove(service: string, environment: string, digest: string): Promise<boolean>;
}

/** A push slipway started a run for: how pushes to a branch chain (`before` → `sha`). */
export type PushRecord = { runId?: string; sha: string; before?: string };

/** The last pushes per branch, newest first: enough to tell a late delivery of an older push. */
export interface PushLog {
  /** A push that got a run: the newest now. */
  record(service: string, branch: string, push: PushRecord): Promise<void>;
  /** A late push: how it chains is kept (an even later one is then known to be older), but it is not the newest. */
  link(service: string, branch: string, push: Omit<PushRecord, 'runId'>): Promise<void>;
  recent(service: string, branch: string): Promise<PushRecord[]>;
}

/** A freeze set from Slack (`/slipway freeze`): a one-off window from now, kept until it ends or is lifted. */
export type AdHocFreeze = { service: string; environment: string; from: string; until: string; reason: string; by: string };

export interface FreezeStore {
  /** Replaces the environment's ad-hoc freeze; it is forgotten when it ends. */
  set(freeze: AdHocFreeze): Promise<void>;
  get(service: string, environment: string): Promise<AdHocFreeze | undefined>;
  remove(service: string, environment: string): Promise<AdHocFreeze | undefined>;
}

/** The environments a release got through (deployed, healthy, its checks passed): what promotion order reads. */
export interface PassStore {
  record(service: string, digest: string, environment: string): Promise<void>;
  passed(service: string, digest: string): Promise<Set<string>>;
}

export type AuditEntry = {
  at: string;
  service: string;
  environment?: string;
  action: 'deploy' | 'approve' | 'reject' | 'rollback' | 'lock' | 'unlock' | 'cancel' | 'expire' | 'break-glass' | 'force' | 'quarantine' | 'unquarantine' | 'freeze' | 'unfreeze' | 'tamper';
  by: string;
  runId?: string;
  detail?: string;
};

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** Newest first; only one environment's entries when given. */
  list(service: string, environment?: string, limit?: number): Promise<AuditEntry[]>;
}

/** Files a stage produced for people to see (a failed browser check's screenshot), kept 30 days. */
export type Artifact = { runId: string; stage: string; name: string };

export interface ArtifactStore {
  save(artifact: Artifact, bytes: Uint8Array): Promise<void>;
  list(runId: string): Promise<Artifact[]>;
  read(artifact: Artifact): Promise<Uint8Array | undefined>;
}

/** One image build: a Dockerfile target of a checked-out build context. */
export type ImageBuild = {
  contextDir: string;
  dockerfile: string;
  tag: string;
  target?: string;
  labels?: Record<string, string>;
  /** Each line of build output, as it comes. */
  onLine?(line: string): void;
};

/** A failed build keeps the failed step's container, so reports a failing test step wrote can be read. */
export type ImageBuildResult = { ok: true } | { ok: false; error: string; failedContainerId?: string };

/** A built image, or the container a failed build step left behind. */
export type ImageSource = { image: string } | { container: string };

/** Where releases are built and pushed from: the engine of slipway's workers. */
export interface ImageEngine {
  build(request: ImageBuild): Promise<ImageBuildResult>;
  /** One file out of an image or a container; undefined when it is not there. */
  readFile(from: ImageSource, path: string): Promise<string | undefined>;
  /** Pushes `image:tag` with the registry's credentials; answers its digest (`sha256:…`). */
  push(image: string, tag: string): Promise<string>;
  /** Removes an image or a container slipway made for a step; never fails. */
  discard(what: ImageSource): Promise<void>;
}

/** The release a deploy puts in an environment, and the secrets' values it runs with (in memory only). */
export type PlacedRelease = {
  /** `repository@sha256:…`: environments get the digest, never a tag. */
  image: string;
  tag: string;
  sha: string;
  runId: string;
  /** Variable name → value, resolved right before the deploy; never logged, stored or labelled. */
  secrets: Record<string, string>;
};

export type PlaceResult = { ok: true } | { ok: false; cause: string; logTail?: string };

/** What a target reports about its environment, read from the target itself, not slipway's records. */
export type TargetStatus = {
  running?: { image: string; runId?: string; sha?: string };
  /** An orchestrator's replicas: how many are ready (serving) of how many it is asked to run. */
  replicas?: { ready: number; desired: number };
  /** `healthy`, or a short phrase saying what is wrong (`unreachable: …`). */
  health: string;
};

/**
 * Where one environment's release runs (a Docker host, a swarm, a cluster), made from its `target:` in
 * slipway.yml. A deploy that fails leaves the previous release serving.
 */
export interface DeployTarget {
  /** For messages: the kind and the host, e.g. `docker on ssh://deploy@web-1`. */
  readonly where: string;
  /** Puts the release there and waits until it is healthy (or the health timeout ends). */
  place(release: PlacedRelease, log: (...lines: string[]) => Promise<void>): Promise<PlaceResult>;
  /**
   * After the environment's checks: `keep` retires the release the last `place` replaced (blue/green keeps it
   * running until then); `revert` puts it back. False when there is nothing kept to put back (recreate).
   */
  settle(outcome: 'keep' | 'revert', log: (...lines: string[]) => Promise<void>): Promise<boolean>;
  /** Takes the environment's release away (an ephemeral environment's teardown); false when nothing ran. */
  remove(): Promise<boolean>;
  status(): Promise<TargetStatus>;
}

/**
 * A reverse proxy in front of an environment (blue/green): one route per environment, listening on the
 * environment's address and sending everything to one upstream, switched in one change.
 */
export interface TrafficProxy {
  /** Where the route sends traffic now (`host:port`); undefined when there is no such route. */
  upstream(route: string): Promise<string | undefined>;
  /** Makes the route listen on `listen` (`host:port`) and send all traffic to `upstream`, in one change. */
  route(route: string, listen: string, upstream: string): Promise<void>;
  /** Takes the route away; nothing happens when there is none. */
  remove(route: string): Promise<void>;
}
