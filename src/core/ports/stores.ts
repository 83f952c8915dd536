import type { Lock } from '../approval-policy.js';
import type { Vote } from '../approval-rules.js';
import type { DeploymentState } from '../deployment-state.js';
import type { Run } from '../run.js';

/** Where slipway keeps what it knows: Redis in production (adapters/store), memory in unit tests. */

export interface RunStore {
  create(run: Run): Promise<void>;
  /** Overwrites the stored run with this state; gives back the state it replaced (read in the same step). */
  save(run: Run): Promise<Run | undefined>;
  get(id: string): Promise<Run | undefined>;
  /** Only to undo a run that could not be queued. */
  delete(id: string): Promise<void>;
  /** Newest first. */
  listByService(service: string, limit?: number): Promise<Run[]>;
}

export type Claim = { key: string; value: string };

/** Remembers that something happened once (a webhook delivery, a Slack request) and what was answered. */
export interface OnceStore {
  /** Stores `value` under `key` if nothing is there; returns the earlier value when there was one. */
  claim(key: string, value: string, ttlSeconds: number): Promise<string | undefined>;
  /**
   * Claims `first` and, only if it was free, each of `rest`, as one step: no other claim comes in between.
   * Answers `first`'s earlier value when it was held (then nothing is claimed), else each of `rest`'s earlier
   * values, in order (undefined where the claim was made now).
   */
  claimGroup(first: Claim, rest: readonly Claim[], ttlSeconds: number): Promise<{ held: string } | { rest: (string | undefined)[] }>;
  forget(key: string): Promise<void>;
  /** The value under `key`, if any, without claiming it. */
  peek(key: string): Promise<string | undefined>;
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

/** Where a run's Slack messages are; `ts` is Slack's message id. */
export type OpenAlert = { channel: string; ts?: string; runId: string };
export type AlertPlace = { service: string; branch: string; environment: string };

/** What slipway has posted to Slack about a run, so a retried update never posts anything twice. */
export interface PostedMessages {
  /**
   * Everything recorded for the run, field → value: `channel` and `ts` of its message, and a mark per thing
   * posted once (`stage:<name>`, `file:<stage>:<name>`, `card:<env>` with its `cardDigest:<env>`, `alert`, `summary`, `version`).
   */
  read(runId: string): Promise<Record<string, string>>;
  record(runId: string, fields: Record<string, string>): Promise<void>;
  /** A failed run's alert, answered by the next run that passes on the same branch and environment. */
  openAlert(place: AlertPlace, alert: OpenAlert): Promise<void>;
  /** Takes the open alert away: of two callers, one gets it. */
  takeAlert(place: AlertPlace): Promise<OpenAlert | undefined>;
}

/** A deployment as a git host records it (GitHub's Deployments API): its id and the last state sent. */
export type HostDeployment = { id: number; state?: DeploymentState };
export type LiveHostDeployment = { owner: string; repo: string; id: number };

/** The host's deployment per run and environment, shared by the server (approvals) and workers (stages). */
export interface HostDeploymentRecords {
  /** `creating` while the process that claimed it is making it. */
  get(runId: string, environment: string): Promise<HostDeployment | 'creating' | undefined>;
  /** True for exactly one caller per run and environment: the one to create it. */
  claim(runId: string, environment: string): Promise<boolean>;
  set(runId: string, environment: string, deployment: HostDeployment): Promise<void>;
  /** Gives the claim up (creating it failed), so another may try. */
  forget(runId: string, environment: string): Promise<void>;
  /** The deployment serving the environment now. */
  setLive(service: string, environment: string, live: LiveHostDeployment): Promise<void>;
  /** Takes it away (the environment was retired): of two callers, one gets it. */
  takeLive(service: string, environment: string): Promise<LiveHostDeployment | undefined>;
}
