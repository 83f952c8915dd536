import { grantFor } from '../src/core/approval-grant.js';
import { approversFor, mayApprove, type Verdict } from '../src/core/approval-policy.js';
import type { ServiceConfig } from '../src/core/config-schema.js';
import type { AuditLog, Deployment, DeploymentStore, LockStore, OnceStore, QuarantineStore, RunQueue, RunStore, SlackDirectory } from '../src/core/ports.js';
import { type Run, runOfBuiltRelease } from '../src/core/run.js';
import { quarantineRolledBack } from '../src/queue/quarantine.js';
import { startRun } from '../src/queue/start-run.js';

export const CONFIRM_ROLLBACK_ACTION = 'confirm_rollback';

export type RollbackDeps = {
  services: readonly ServiceConfig[];
  runs: RunStore;
  queue: RunQueue;
  once: OnceStore;
  locks: LockStore;
  audit: AuditLog;
  deployments: DeploymentStore;
  quarantines: QuarantineStore;
  directory: SlackDirectory;
  newRunId(service: string): string;
  now(): Date;
  /** Signs the confirming approver's grant, which the deploy checks (core/approval-grant.ts). */
  signingKey: Buffer;
};

/** Rollbacks are for the environment's approvers, and a lock holds them off like any deploy. */
export async function mayRollBack(
  deps: Pick<RollbackDeps, 'locks' | 'directory'>,
  service: ServiceConfig,
  environment: string,
  userId: string,
): Promise<Verdict> {
  const env = service.environments.find((e) => e.name === environment);
  if (!env) return { ok: false, reason: `${service.name} has no environment "${environment}".` };
  const approvers = approversFor(service, env);
  return mayApprove({
    userId,
    approvers,
    groupMembers: await deps.directory.groupMembers(approvers.groups),
    allowSelfApproval: true,
    selfIds: new Set(),
    lock: await deps.locks.get(service.name, environment),
  });
}

export type RollbackRequest = { service: string; environment: string; runId: string };

/**
 * The confirmed rollback: a run with one stage, `deploy:ENV`, of the digest that deployment recorded — no
 * rebuild. One per confirmation button, however often it is clicked.
 */
export async function confirmRollback(request: RollbackRequest, user: { id: string; name: string }, buttonId: string, deps: RollbackDeps): Promise<string> {
  const service = deps.services.find((s) => s.name === request.service);
  if (!service) return `${request.service} is no longer in slipway.yml.`;
  const verdict = await mayRollBack(deps, service, request.environment, user.id);
  if (!verdict.ok) return verdict.reason;
  const history = await deps.deployments.history(service.name, request.environment, 200);
  const to: Deployment | undefined = history.find((d) => d.runId === request.runId && d.outcome === 'succeeded');
  if (!to) return 'That deployment is no longer in the history; run /rollback again.';

  const id = deps.newRunId(service.name);
  const earlier = await deps.once.claim(`rollback:${buttonId}`, id, 24 * 3600);
  if (earlier !== undefined) return `This rollback is already running as ${earlier}.`;
  const built = (await deps.runs.get(to.runId)) ?? undefined;
  const run: Run = {
    ...runOfBuiltRelease(
      { id, service: service.name, trigger: 'rollback', release: to.release, built, by: user, environment: request.environment, stages: [`deploy:${request.environment}`] },
      deps.now(),
    ),
    // The approver's confirming click is the approval: signed now, checked again right before the deploy.
    grants: [grantFor(deps.signingKey, { runId: id, environment: request.environment, digest: to.release.digest }, user.id, deps.now())],
  };
  const current = await deps.deployments.current(service.name, request.environment);
  if (current && current.release.digest !== to.release.digest) {
    await quarantineRolledBack(deps, { service: service.name, environment: request.environment, release: current.release, by: user.id, at: deps.now() });
  }
  await startRun(run, `rollback:${buttonId}`, deps);
  await deps.audit.record({
    at: run.createdAt,
    service: service.name,
    environment: request.environment,
    action: 'rollback',
    by: user.id,
    runId: id,
    detail: `to ${to.release.tag} (${to.release.digest.slice(0, 19)}…)`,
  });
  const out = current && current.release.digest !== to.release.digest ? ` ${current.release.tag} is quarantined there and ${request.environment} is locked by you until someone unlocks it.` : '';
  return `Rolling ${request.environment} back to ${to.release.tag} as run ${id}.${out}`;
}
