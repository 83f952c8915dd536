import type { SlackDirectory } from '../adapters/slack/slack-directory.js';
import { mayApprove } from '../core/approval-policy.js';
import { approvalProgress, approvalRules, describeMissing, eligibleRules, everyoneIn } from '../core/approval-rules.js';
import { activeFreeze, freezeLine, freezeWindows } from '../core/freeze.js';
import type { ServiceConfig } from '../core/config-schema.js';
import type { Approval, ApprovalStore, AuditLog, FreezeStore, LockStore, RunQueue, RunStore } from '../core/ports.js';
import { endAtGate, passStage, type Run } from '../core/run.js';
import type { RunEvents } from '../queue/notifier.js';

export type ApprovalDeps = {
  services: readonly ServiceConfig[];
  runs: RunStore;
  queue: RunQueue;
  events: RunEvents;
  approvals: ApprovalStore;
  locks: LockStore;
  freezes: FreezeStore;
  audit: AuditLog;
  directory: SlackDirectory;
  now(): Date;
};

export type ApprovalClick = { runId: string; environment: string; userId: string; decision: 'approve' | 'reject'; reason?: string };

/**
 * An Approve or Reject click. Authorized first (approvers, self-approval, lock, freeze), then counted: an
 * Approve is one vote, once per person, and the request is decided when the votes meet every rule. Decisions
 * are taken exactly once in Redis: of racing clicks only one promotion is queued.
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

  if (run.release && run.release.digest !== approval.digest) {
    return `This request was for ${approval.tag} (${approval.digest.slice(0, 19)}…), and the run now carries another release: it cannot be decided.`;
  }

  const rules = approvalRules(service, environment, { breakGlass: approval.breakGlass });
  const groups = [...new Set(rules.flatMap((r) => r.groups))];
  const [memberLists, authorId, pusherId, lock] = await Promise.all([
    Promise.all(groups.map((g) => deps.directory.groupMembers([g]))),
    deps.directory.userIdByEmail(run.author.email),
    deps.directory.userIdByEmail(run.triggeredBy.email),
    deps.locks.get(run.service, click.environment),
  ]);
  const members = new Map(groups.map((g, i) => [g, memberLists[i]!]));
  const selfIds = new Set([authorId, pusherId, run.triggeredBy.username].filter((id): id is string => !!id));
  const verdict = mayApprove({
    userId: click.userId,
    approvers: everyoneIn(rules),
    groupMembers: new Set(memberLists.flatMap((m) => [...m])),
    // Breaking glass needs someone besides the one who broke it, whatever the environment allows.
    allowSelfApproval: environment.allowSelfApproval && !approval.breakGlass,
    selfIds,
    // Rejecting a locked environment's promotion is always fine; approving it is not.
    lock: click.decision === 'approve' ? lock : undefined,
  });
  if (!verdict.ok) return verdict.reason;
  const at = deps.now();
  const freeze = activeFreeze(freezeWindows(environment.freezes, await deps.freezes.get(run.service, click.environment)), at);
  if (click.decision === 'approve' && freeze && !run.override) {
    return `${freezeLine(click.environment, freeze)}. Promotions wait until then, or an approver breaks glass: /deploy! ${run.branch} to ${click.environment} reason: …`;
  }

  if (click.decision === 'approve') {
    // One person counts once; the promotion goes when every rule is met.
    const counted = await deps.approvals.vote(run.id, click.environment, { by: click.userId, at: at.toISOString(), eligible: eligibleRules(rules, click.userId, members) });
    const progress = approvalProgress(rules, await deps.approvals.votes(run.id, click.environment));
    if (!counted) return `You have already approved this${progress.met ? '' : `; still needed: ${describeMissing(progress.missing)}`}.`;
    const audited = { at: at.toISOString(), service: run.service, environment: click.environment, action: 'approve' as const, by: click.userId, runId: run.id, detail: approval.tag };
    if (!progress.met) {
      await deps.audit.record(audited);
      await deps.events.changed(run.id);
      return `Your approval counts. Still needed: ${describeMissing(progress.missing)}.`;
    }
    const answer = await promote(run, approval, progress.counted, at, deps);
    // Only the approval that decided it goes to the audit log; one that came too late changed nothing.
    if (answer === undefined) await deps.audit.record(audited);
    return answer;
  }

  const decided = await deps.approvals.decide(click.runId, click.environment, { state: 'rejected', by: click.userId, at: at.toISOString(), reason: click.reason });
  if (!decided.ok) {
    await deps.events.changed(run.id);
    return alreadyDecided(decided.approval);
  }
  await deps.audit.record({
    at: at.toISOString(),
    service: run.service,
    environment: click.environment,
    action: 'reject',
    by: click.userId,
    runId: run.id,
    detail: `${approval.tag}${click.reason ? `: ${click.reason}` : ''}`,
  });
  const stage = `approval:${click.environment}`;
  await deps.runs.save(endAtGate(run, stage, 'cancelled', `rejected by <@${click.userId}>${click.reason ? `: ${click.reason}` : ''}`, at));
  await deps.events.changed(run.id);
  return undefined;
}

/** Every rule met: decided once (of racing last votes, one wins) and the run queued past its gate. */
async function promote(run: Run, approval: Approval, approvers: readonly string[], at: Date, deps: ApprovalDeps): Promise<string | undefined> {
  const by = approvers.at(-1) ?? '';
  const decided = await deps.approvals.decide(run.id, approval.environment, { state: 'approved', by, at: at.toISOString() });
  if (!decided.ok) {
    await deps.events.changed(run.id);
    return alreadyDecided(decided.approval);
  }
  const stage = `approval:${approval.environment}`;
  const names = approvers.map((u) => `<@${u}>`);
  const summary = `approved by ${names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0]}`;
  const approved = { ...passStage(run, stage, at, summary), status: 'queued' as const };
  await deps.runs.save(approved);
  await deps.queue.enqueue(approved, `after-${approval.environment}`);
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
