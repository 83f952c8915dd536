import { ATTR, inSpan, linkTo } from '../core/tracing.js';
import { grantFor, verifyRelease } from '../core/approval-grant.js';
import { mayApprove } from '../core/approval-policy.js';
import { approvalProgress, approvalRules, describeMissing, eligibleRules, everyoneIn } from '../core/approval-rules.js';
import { freezeLine, freezeWindows, unbrokenFreeze } from '../core/freeze.js';
import type { People, ServiceConfig } from '../core/config-schema.js';
import { describePerson, type GitPerson, personFromConfig } from '../core/people.js';
import type { Approval, ApprovalStore, AuditLog, FreezeStore, LockStore, RunQueue, RunStore, SlackDirectory } from '../core/ports.js';
import { endAtGate, passStage, type Run, slackTriggerOf } from '../core/run.js';

export type ApprovalDeps = {
  services: readonly ServiceConfig[];
  runs: RunStore;
  queue: RunQueue;
  approvals: ApprovalStore;
  locks: LockStore;
  freezes: FreezeStore;
  audit: AuditLog;
  directory: SlackDirectory;
  /** `people:` of slipway.yml: git identities by Slack id, consulted before Slack's e-mail lookup. */
  people: People;
  now(): Date;
  /** Verifies what the card's buttons carry and signs the grant an approval gives (core/approval-grant.ts). */
  signingKey: Buffer;
};

/** `digest` and `signature` are what the card's button carried: the release the approver saw, signed by slipway. */
export type ApprovalClick = {
  runId: string;
  environment: string;
  userId: string;
  decision: 'approve' | 'reject';
  reason?: string;
  digest?: string;
  signature?: string;
};

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
  if (approval.state !== 'pending') return alreadyDecided(approval);

  if (run.release && run.release.digest !== approval.digest) {
    return `This request was for ${approval.tag} (${approval.digest.slice(0, 19)}…), and the run now carries another release: it cannot be decided.`;
  }
  if (click.decision === 'approve') {
    const refused = await unboundRelease(click, approval, run, deps);
    if (refused) return refused;
  }

  const rules = approvalRules(service, environment, { breakGlass: approval.breakGlass });
  const groups = [...new Set(rules.flatMap((r) => r.groups))];
  // Who the run is from, as Slack ids. A push names people by git identity; a command or click by Slack id.
  const fromGit: GitPerson[] = [run.author, ...(run.trigger === 'push' ? [run.triggeredBy] : [])];
  const [memberLists, gitIds, lock] = await Promise.all([
    Promise.all(groups.map((g) => deps.directory.groupMembers([g]))),
    Promise.all(fromGit.map((p) => slackIdOf(p, deps))),
    deps.locks.get(run.service, click.environment),
  ]);
  const members = new Map(groups.map((g, i) => [g, memberLists[i]!]));
  const slackTrigger = slackTriggerOf(run);
  const selfIds = new Set([...gitIds, slackTrigger, run.override?.by].filter((id): id is string => !!id));
  const verdict = mayApprove({
    userId: click.userId,
    approvers: everyoneIn(rules),
    groupMembers: new Set(memberLists.flatMap((m) => [...m])),
    // Breaking glass needs someone besides the one who broke it, whatever the environment allows.
    allowSelfApproval: environment.allowSelfApproval && !approval.breakGlass,
    selfIds,
    // Fails closed: someone slipway cannot identify might be the clicker. Rejecting is always fine.
    unidentified: click.decision === 'approve' ? fromGit.filter((_, i) => !gitIds[i]).map(describePerson) : [],
    // Rejecting a locked environment's promotion is always fine; approving it is not.
    lock: click.decision === 'approve' ? lock : undefined,
  });
  if (!verdict.ok) return verdict.reason;
  const at = deps.now();
  // A break glass gets past the freezes it was for; one declared after it stops the promotion like any other.
  const freeze = unbrokenFreeze(run, click.environment, freezeWindows(environment.freezes, await deps.freezes.get(run.service, click.environment)), at);
  if (click.decision === 'approve' && freeze) {
    return `${freezeLine(click.environment, freeze)}. Promotions wait until then, or an approver breaks glass: /deploy force ${run.branch} to ${click.environment} reason: …`;
  }

  if (click.decision === 'approve') {
    // A request that has run out takes no more votes: it is marked expired now, as its expiry job would.
    if (at.toISOString() >= approval.expiresAt) {
      const decided = await deps.approvals.decide(run.id, click.environment, { state: 'expired', by: 'slipway', at: at.toISOString() });
      return alreadyDecided(decided.approval);
    }
    // One person counts once; the promotion goes when every rule is met.
    const counted = await deps.approvals.vote(run.id, click.environment, { by: click.userId, at: at.toISOString(), eligible: eligibleRules(rules, click.userId, members) });
    const progress = approvalProgress(rules, await deps.approvals.votes(run.id, click.environment));
    if (!counted) return `You have already approved this${progress.met ? '' : `; still needed: ${describeMissing(progress.missing)}`}.`;
    const audited = { at: at.toISOString(), service: run.service, environment: click.environment, action: 'approve' as const, by: click.userId, runId: run.id, detail: approval.tag };
    if (!progress.met) {
      await deps.audit.record(audited);
      return `Your approval counts. Still needed: ${describeMissing(progress.missing)}.`;
    }
    const answer = await promote(run, approval, progress.counted, at, deps, click.digest ?? approval.digest);
    // Only the approval that decided it goes to the audit log; one that came too late changed nothing.
    if (answer === undefined) await deps.audit.record(audited);
    return answer;
  }

  const decided = await deps.approvals.decide(click.runId, click.environment, { state: 'rejected', by: click.userId, at: at.toISOString(), reason: click.reason });
  if (!decided.ok) return alreadyDecided(decided.approval);
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
  return undefined;
}

/** Every rule met: decided once (of racing last votes, one wins) and the run queued past its gate. */
async function promote(run: Run, approval: Approval, approvers: readonly string[], at: Date, deps: ApprovalDeps, digest: string): Promise<string | undefined> {
  const by = approvers.at(-1) ?? '';
  const decided = await deps.approvals.decide(run.id, approval.environment, { state: 'approved', by, at: at.toISOString() });
  if (!decided.ok) return alreadyDecided(decided.approval);
  const stage = `approval:${approval.environment}`;
  const names = approvers.map((u) => `<@${u}>`);
  const summary = `approved by ${names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0]}`;
  // The grant the deploy checks again: the digest the approvers saw, signed now with slipway's key.
  const grant = grantFor(deps.signingKey, { runId: run.id, environment: approval.environment, digest }, by, at);
  const approved = { ...passStage(run, stage, at, summary), status: 'queued' as const, grants: [...(run.grants ?? []).filter((g) => g.environment !== approval.environment), grant] };
  // A span of the click (Bolt may have answered it already) linked to the run's trace, where the run goes on.
  const attributes = { [ATTR.runId]: run.id, [ATTR.service]: run.service, [ATTR.stage]: stage };
  await inSpan(`approve ${approval.environment}`, { attributes, links: linkTo(run.traceparent) }, async () => {
    await deps.runs.save(approved);
    await deps.queue.enqueue(approved, `after-${approval.environment}`);
  });
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

/**
 * An Approve counts only for the release the card showed, signed by slipway when the request was opened, and
 * only while the request and the run still carry that release. Anything else means someone changed them in
 * Redis after the card was posted: refused and audited.
 */
async function unboundRelease(click: ApprovalClick, approval: Approval, run: Run, deps: ApprovalDeps): Promise<string | undefined> {
  if (!click.digest || !click.signature) {
    return 'This button carries no signed release (a card from before an upgrade?): nothing was approved. Ask anew with /deploy.';
  }
  const signed = verifyRelease(deps.signingKey, { runId: click.runId, environment: click.environment, digest: click.digest }, click.signature);
  if (signed && click.digest === approval.digest && click.digest === run.release?.digest) return undefined;
  await deps.audit.record({
    at: deps.now().toISOString(),
    service: run.service,
    environment: click.environment,
    action: 'tamper',
    by: click.userId,
    runId: run.id,
    detail: `approve refused: the card showed ${click.digest}, the request holds ${approval.digest}, the run ${run.release?.digest ?? 'no release'}${signed ? '' : ' (bad signature)'}`,
  });
  return 'The release waiting at this gate is not the one this card was signed for: it was changed after the card was posted. Nothing was approved; tell the operators (see the audit log) and ask anew with /deploy.';
}

/** A git identity's Slack id: `people:` first, then Slack's e-mail lookup; undefined when neither knows them. */
async function slackIdOf(person: GitPerson, deps: Pick<ApprovalDeps, 'people' | 'directory'>): Promise<string | undefined> {
  return personFromConfig(deps.people, person) ?? (await deps.directory.userIdByEmail(person.email).catch(() => undefined));
}
