import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { BULLMQ_PREFIX } from '../adapters/store/redis-keys.js';
import type { ServiceConfig } from '../core/config-schema.js';
import type { ApprovalStore, AuditLog, RunStore } from '../core/ports.js';
import { endAtGate, type Run } from '../core/run.js';
import type { Logger } from '../log.js';
import type { RunEvents } from './notifier.js';
import { environmentConfig } from './stages/stage-context.js';

export const GATES_QUEUE = 'gates';
const ExpiryJob = z.object({ runId: z.string(), environment: z.string() });
type ExpiryJob = z.infer<typeof ExpiryJob>;

/** Approval requests that nobody decides in time expire by a delayed job, not by a worker waiting. */
export class Gates {
  readonly queue: Queue<ExpiryJob>;

  constructor(connection: Redis) {
    this.queue = new Queue<ExpiryJob>(GATES_QUEUE, { connection, prefix: BULLMQ_PREFIX });
  }

  async scheduleExpiry(runId: string, environment: string, at: Date): Promise<void> {
    await this.queue.add('expire', { runId, environment }, {
      jobId: `expire-${runId}-${environment}`,
      delay: Math.max(0, at.getTime() - Date.now()),
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
      attempts: 5,
      backoff: { type: 'exponential', delay: 5_000 },
    });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export type GateDeps = {
  services: readonly ServiceConfig[];
  runs: RunStore;
  approvals: ApprovalStore;
  audit: AuditLog;
  events: RunEvents;
  gates: Gates;
  log: Logger;
  now(): Date;
};

/**
 * Parks a run at `approval:ENV`: opens the request for its release, supersedes older requests of the same gate
 * (their runs end as superseded), and schedules the expiry. Opening again on a retried job changes nothing.
 */
export async function openGate(run: Run, stage: string, deps: GateDeps): Promise<void> {
  const environment = stage.slice('approval:'.length);
  const service = deps.services.find((s) => s.name === run.service);
  const env = service && environmentConfig(service, environment);
  if (!env || !run.release) throw new Error(`cannot ask for approval of ${environment}: no such environment or no release`);
  if ((await deps.approvals.get(run.id, environment))?.state === 'pending') return;
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + env.approvalExpiresHours * 3600 * 1000);
  const superseded = await deps.approvals.open({
    runId: run.id,
    service: run.service,
    environment,
    digest: run.release.digest,
    tag: run.release.tag,
    sha: run.sha,
    state: 'pending',
    requestedAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
  });
  for (const old of superseded) {
    const oldRun = await deps.runs.get(old.runId);
    if (oldRun?.status === 'waiting') {
      await deps.runs.save(endAtGate(oldRun, `approval:${environment}`, 'superseded', `superseded by ${run.id}`, now));
    }
    await deps.events.changed(old.runId);
  }
  await deps.gates.scheduleExpiry(run.id, environment, expiresAt);
}

export function createGateProcessor(deps: GateDeps) {
  return async (job: Job<ExpiryJob>): Promise<void> => {
    const { runId, environment } = ExpiryJob.parse(job.data);
    const now = deps.now();
    const { approval } = await deps.approvals.decide(runId, environment, { state: 'expired', by: 'slipway', at: now.toISOString() });
    if (approval.state !== 'expired') return;
    const run = await deps.runs.get(runId);
    if (run?.status === 'waiting') {
      await deps.runs.save(endAtGate(run, `approval:${environment}`, 'cancelled', 'approval expired', now));
      await deps.audit.record({ at: now.toISOString(), service: run.service, environment, action: 'expire', by: 'slipway', runId, detail: approval.tag });
    }
    await deps.events.changed(runId);
    deps.log.info({ runId, environment }, 'approval request expired');
  };
}
