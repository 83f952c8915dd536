import type { Job } from 'bullmq';
import { ExpiryJob, type GateJob, REMIND_LOCK_JOB, ReminderJob } from '../core/jobs.js';
import { signRelease } from '../core/approval-grant.js';
import { approvalRules } from '../core/approval-rules.js';
import type { ServiceConfig } from '../core/config-schema.js';
import { activeFreeze, freezeWindows, unbrokenFreeze } from '../core/freeze.js';
import { who } from '../core/messages/blocks.js';
import type { ApprovalStore, AuditLog, DeploymentStore, FreezeStore, GateScheduler, LockStore, Logger, RunStore } from '../core/ports.js';
import { endAtGate, type Run } from '../core/run.js';
import { environmentConfig } from './stages/stage-context.js';

export type GateDeps = {
  services: readonly ServiceConfig[];
  runs: RunStore;
  approvals: ApprovalStore;
  /** What an environment runs when a request is opened: the card's "from". */
  deployments: DeploymentStore;
  audit: AuditLog;
  gates: GateScheduler;
  locks: LockStore;
  freezes: FreezeStore;
  /** Posts a line in a service's channel; absent without Slack. */
  notify?(channel: string, text: string): Promise<void>;
  log: Logger;
  now(): Date;
  /** Signs the release a request is opened for; kept out of Redis (see approval-grant.ts). */
  signingKey: Buffer;
};

/**
 * Parks a run at `approval:ENV`: opens the request for its release, supersedes older requests of the same gate
 * (their runs end as superseded), and schedules the expiry. A retried job opens nothing new but finishes the
 * rest, so a job that stopped half-way never leaves a run waiting with no expiry, or a superseded run waiting.
 */
export async function openGate(run: Run, stage: string, deps: GateDeps): Promise<'opened' | 'not needed'> {
  const environment = stage.slice('approval:'.length);
  const service = deps.services.find((s) => s.name === run.service);
  const env = service && environmentConfig(service, environment);
  if (!env || !run.release) throw new Error(`cannot ask for approval of ${environment}: no such environment or no release`);
  let request = await deps.approvals.get(run.id, environment);
  if (request?.state !== 'pending') {
    const now = deps.now();
    // `/deploy force` put this gate here to break a freeze; with the freeze over, only the usual approvals count.
    const windows = freezeWindows(env.freezes, await deps.freezes.get(run.service, environment));
    const breakGlass = !!activeFreeze(windows, now) && !unbrokenFreeze(run, environment, windows, now);
    if (approvalRules(service, env, { breakGlass }).length === 0) return 'not needed';
    const current = await deps.deployments.current(run.service, environment);
    request = {
      runId: run.id,
      service: run.service,
      environment,
      digest: run.release.digest,
      tag: run.release.tag,
      sha: run.sha,
      state: 'pending',
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + env.approvalExpiresHours * 3600 * 1000).toISOString(),
      ...(breakGlass ? { breakGlass } : {}),
      ...(current ? { from: { tag: current.release.tag, sha: current.release.sha, runId: current.runId } } : {}),
      // The card's buttons carry this; a click is honoured only for the release it was made for.
      signature: signRelease(deps.signingKey, { runId: run.id, environment, digest: run.release.digest }),
    };
    await deps.approvals.open(request);
  }
  await endSupersededRuns(run, environment, deps);
  await deps.gates.scheduleExpiry(run.id, environment, new Date(request.expiresAt));
  return 'opened';
}

/** The runs still waiting at this gate whose requests this run superseded end as superseded. */
async function endSupersededRuns(run: Run, environment: string, deps: GateDeps): Promise<void> {
  const stage = `approval:${environment}`;
  for (const other of await deps.runs.listByService(run.service, 100)) {
    if (other.id === run.id || other.status !== 'waiting' || !other.stages.some((s) => s.name === stage && s.status === 'running')) continue;
    const request = await deps.approvals.get(other.id, environment);
    if (request?.state === 'superseded' && request.decidedBy === run.id) {
      await deps.runs.save(endAtGate(other, stage, 'superseded', `superseded by ${run.id}`, deps.now()));
    }
  }
}

export function createGateProcessor(deps: GateDeps) {
  return async (job: Job<GateJob>): Promise<void> => {
    if (job.name === REMIND_LOCK_JOB) return remindLockHolder(ReminderJob.parse(job.data), deps);
    const { runId, environment } = ExpiryJob.parse(job.data);
    const now = deps.now();
    const { approval } = await deps.approvals.decide(runId, environment, { state: 'expired', by: 'slipway', at: now.toISOString() });
    if (approval.state !== 'expired') return;
    const run = await deps.runs.get(runId);
    if (run?.status === 'waiting') {
      await deps.runs.save(endAtGate(run, `approval:${environment}`, 'cancelled', 'approval expired', now));
      await deps.audit.record({ at: now.toISOString(), service: run.service, environment, action: 'expire', by: 'slipway', runId, detail: approval.tag });
    }
    deps.log.info({ runId, environment }, 'approval request expired');
  };
}

/** Reminds the holder if they still hold the lock they took then, and schedules the next reminder. */
async function remindLockHolder(reminder: ReminderJob, deps: GateDeps): Promise<void> {
  const lock = await deps.locks.get(reminder.service, reminder.environment);
  const service = deps.services.find((s) => s.name === reminder.service);
  if (!lock || lock.by !== reminder.by || lock.at !== reminder.at || !service) return;
  const waiting = (await deps.locks.queue(lock.service, lock.environment)).length;
  const hours = Math.round((deps.now().getTime() - Date.parse(lock.at)) / 360_000) / 10;
  const queue = waiting > 0 ? ` ${waiting} ${waiting === 1 ? 'person is' : 'people are'} waiting for it.` : '';
  await deps.notify?.(service.channel, `:alarm_clock: ${who(lock.by)}, you have held the ${lock.service} ${lock.environment} lock for ${hours} h.${queue} /slipway unlock ${lock.environment} when you are done.`);
  await deps.gates.remindLockHolder(lock, new Date(deps.now().getTime() + service.lockReminderHours * 3600_000));
}
