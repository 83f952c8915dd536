import type { Approvers, Environment, ServiceConfig } from './config-schema.js';
import { escapeKeepingMentions, who } from './messages/blocks.js';

export type Lock = { service: string; environment: string; by: string; reason: string; at: string };

/** Who may approve an environment: its own list, else the service's. */
export function approversFor(service: ServiceConfig, environment: Environment): Approvers {
  return environment.approvers ?? service.approvers;
}

export type ApprovalQuestion = {
  userId: string;
  approvers: Approvers;
  /** Members of the approver groups, resolved from Slack. */
  groupMembers: ReadonlySet<string>;
  allowSelfApproval: boolean;
  /** Slack ids of the commit's author and of whoever triggered the run. */
  selfIds: ReadonlySet<string>;
  /** People behind the change slipway could not match to a Slack user (described for the refusal). */
  unidentified?: readonly string[];
  lock?: Lock;
};

export type Verdict = { ok: true } | { ok: false; reason: string };

/** Whether this person may approve (or reject) this promotion now. Pure: the Slack lookups are done before. */
export function mayApprove(q: ApprovalQuestion): Verdict {
  const listed = q.approvers.users.includes(q.userId) || q.groupMembers.has(q.userId);
  if (!listed) {
    const who = [...q.approvers.users.map((u) => `<@${u}>`), ...q.approvers.groups.map((g) => `<!subteam^${g}>`)];
    return { ok: false, reason: `Only approvers can do this: ${who.join(', ') || 'nobody is configured'}.` };
  }
  if (!q.allowSelfApproval && q.selfIds.has(q.userId)) {
    return { ok: false, reason: 'You cannot approve your own change: ask another approver.' };
  }
  if (!q.allowSelfApproval && q.unidentified && q.unidentified.length > 0) {
    const names = q.unidentified.join(' and ');
    return {
      ok: false,
      reason: `slipway cannot tell who ${names} is in Slack, so it cannot tell that this is not your own change: nothing was approved. An operator can add them under people: in slipway.yml (their Slack id with this e-mail or git username).`,
    };
  }
  if (q.lock && q.lock.by !== q.userId) {
    return { ok: false, reason: `${lockedLine(q.lock)}. Ask them to /slipway unlock it.` };
  }
  return { ok: true };
}

/** May this person deploy to an environment? Only a lock stands in the way, unless they hold it. */
export function lockAllows(lock: Lock | undefined, userId: string | undefined): Verdict {
  if (!lock || lock.by === userId) return { ok: true };
  return { ok: false, reason: lockedLine(lock) };
}

/** "production is locked by <@U1>: release audit" — the reason escaped, mentions kept. */
export function lockedLine(lock: Lock): string {
  return `${lock.environment} is locked by ${who(lock.by)}: ${escapeKeepingMentions(lock.reason || 'no reason given')}`;
}

/**
 * Which of two requests at the same gate was asked first (by the time asked, then the run id): of requests
 * reaching a gate at once, the later one supersedes the others.
 */
export function askedBefore(a: { requestedAt: string; runId: string }, b: { requestedAt: string; runId: string }): boolean {
  return a.requestedAt < b.requestedAt || (a.requestedAt === b.requestedAt && a.runId < b.runId);
}
