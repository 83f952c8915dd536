import type { SlackDirectory } from '../adapters/slack/slack-directory.js';
import { approversFor, mayApprove } from '../core/approval-policy.js';
import type { ServiceConfig } from '../core/config-schema.js';
import type { Approval, ApprovalStore, AuditLog, LockStore, RunQueue, RunStore } from '../core/ports.js';
import { endAtGate, passStage } from '../core/run.js';
import type { RunEvents } from '../queue/notifier.js';

export type ApprovalDeps = {
  services: readonly ServiceConfig[];
  runs: RunStore;
  queue: RunQueue;
  events: RunEvents;
  approvals: ApprovalStore;
  locks: LockStore;
  audit: AuditLog;
  directory: SlackDirectory;
  now(): Date;
};

export type ApprovalClick = { runId: string; environment: string; userId: string; decision: 'approve' | 'reject'; reason?: string };

/**
 * An Approve or Reject click. Authorized first (approvers, self-approval, lock), then decided exactly once in
 * Redis: of two people clicking, or one double-clicking, only one decision is taken and one promotion queued.
 * Answers what to tell the clicker privately; the card itself is updated through the run's notifications.
 */
export async function decideApproval(click: ApprovalClick, deps: ApprovalDeps): Promise<string | undefined> {
  const approval = await deps.approvals.get(click.runId, click.environment);
  const run = await deps.runs.get(click.runId);
  const service = deps.services.find((s) => s.name === run?.service);
  const environment = service?.environments.find((e) => e.name === click.environment);
  if (!approval || !run || !service || !environment) return 'This approval request is not known any more.';
  if (approval.state !== 'pending') {
    await deps.events.changed(run.id);
    return alreadyDecided(approval);
  }

  const approvers = approversFor(service, environment);
  const [groupMembers, authorId, pusherId, lock] = await Promise.all([
    deps.directory.groupMembers(approvers.groups),
    deps.directory.userIdByEmail(run.author.email),
    deps.directory.userIdByEmail(run.triggeredBy.email),
    deps.locks.get(run.service, click.environment),
  ]);
  const selfIds = new Set([authorId, pusherId, run.triggeredBy.username].filter((id): id is string => !!id));
  const verdict = mayApprove({
    userId: click.userId,
    approvers,
    groupMembers,
    allowSelfApproval: environment.allowSelfApproval,
    selfIds,
    // Rejecting a locked environment's promotion is always fine; approving it is not.
    lock: click.decision === 'approve' ? lock : undefined,
  });
  if (!verdict.ok) return verdict.reason;

  const at = deps.now();
  const decided = await deps.approvals.decide(click.runId, click.environment, {
    state: click.decision === 'approve' ? 'approved' : 'rejected',
    by: click.userId,
    at: at.toISOString(),
    reason: click.reason,
  });
  if (!decided.ok) {
    await deps.events.changed(run.id);
    return alreadyDecided(decided.approval);
  }
  await deps.audit.record({
    at: at.toISOString(),
    service: run.service,
    environment: click.environment,
    action: click.decision,
    by: click.userId,
    runId: run.id,
    detail: `${approval.tag}${click.reason ? `: ${click.reason}` : ''}`,
  });

  const stage = `approval:${click.environment}`;
  if (click.decision === 'approve') {
    const approved = { ...passStage(run, stage, at, `approved by <@${click.userId}>`), status: 'queued' as const };
    await deps.runs.save(approved);
    await deps.queue.enqueue(approved, `after-${click.environment}`);
  } else {
    await deps.runs.save(endAtGate(run, stage, 'cancelled', `rejected by <@${click.userId}>${click.reason ? `: ${click.reason}` : ''}`, at));
  }
  await deps.events.changed(run.id);
  return undefined;
}

function alreadyDecided(approval: Approval): string {
  switch (approval.state) {
    case 'approved':
      return `Already approved by <@${approval.decidedBy}>.`;
    case 'rejected':
      return `Already rejected by <@${approval.decidedBy}>.`;
    case 'expired':
      return 'This request has expired; push again or use /deploy to ask anew.';
    case 'superseded':
      return `This request was superseded: ${approval.reason ?? 'a newer release reached the gate'}.`;
    case 'cancelled':
      return 'This run was cancelled.';
    default:
      return 'This request cannot be decided now.';
  }
}
