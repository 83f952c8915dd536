import { approversFor } from './approval-policy.js';
import type { ApprovalRule, Approvers, Environment, ServiceConfig } from './config-schema.js';

/** One person's Approve, with the rules they could count for when they clicked (group membership then). */
export type Vote = { by: string; at: string; eligible: number[] };

/**
 * The approvals an environment's promotion needs. A rule naming nobody means "any approver". Breaking a
 * freeze asks for one approver more than usual: a rule of its own, which nobody else's approval can fill.
 */
export function approvalRules(service: ServiceConfig, environment: Environment, options: { breakGlass?: boolean } = {}): ApprovalRule[] {
  const approvers = approversFor(service, environment);
  const named = (rule: ApprovalRule): ApprovalRule =>
    rule.users.length > 0 || rule.groups.length > 0 ? rule : { ...rule, users: approvers.users, groups: approvers.groups };
  const rules = environment.requireApproval ? (environment.approvals ?? [{ count: 1, users: [], groups: [] }]).map(named) : [];
  return options.breakGlass ? [...rules, named({ count: 1, users: [], groups: [] })] : rules;
}

/** Everyone a rule names: who may press Approve at all. */
export function everyoneIn(rules: readonly ApprovalRule[]): Approvers {
  return {
    users: [...new Set(rules.flatMap((r) => r.users))],
    groups: [...new Set(rules.flatMap((r) => r.groups))],
  };
}

/** The rules this person can count for, given the members of the groups the rules name. */
export function eligibleRules(rules: readonly ApprovalRule[], userId: string, groupMembers: ReadonlyMap<string, ReadonlySet<string>>): number[] {
  return rules.flatMap((rule, i) => (rule.users.includes(userId) || rule.groups.some((g) => groupMembers.get(g)?.has(userId)) ? [i] : []));
}

export type ApprovalProgress = {
  met: boolean;
  /** Per rule, how many approvals it still needs. */
  missing: { rule: ApprovalRule; need: number }[];
  /** Who counted, once each. */
  counted: string[];
};

/**
 * Whether the votes meet every rule, each person filling at most one place: a matching of voters to the
 * rules' places (augmenting paths; the numbers are tiny), so one person in two groups cannot count twice.
 */
export function approvalProgress(rules: readonly ApprovalRule[], votes: readonly Vote[]): ApprovalProgress {
  const places = rules.flatMap((rule, i) => Array.from({ length: rule.count }, () => i));
  const holder: (number | undefined)[] = places.map(() => undefined);
  const seat = (voter: number, seen: Set<number>): boolean => {
    for (const [place, rule] of places.entries()) {
      if (seen.has(place) || !votes[voter]!.eligible.includes(rule)) continue;
      seen.add(place);
      const current = holder[place];
      if (current === undefined || seat(current, seen)) {
        holder[place] = voter;
        return true;
      }
    }
    return false;
  };
  votes.forEach((_, voter) => seat(voter, new Set()));
  const missing = rules
    .map((rule, i) => ({ rule, need: places.filter((r, place) => r === i && holder[place] === undefined).length }))
    .filter((m) => m.need > 0);
  const seated = new Set(holder);
  const counted = votes.filter((_, voter) => seated.has(voter)).map((v) => v.by);
  return { met: missing.length === 0, missing, counted };
}

/** "1 more from <!subteam^S1>, 2 more from <@U1> or <@U2>": what a card and `/deploy why` say is missing. */
export function describeMissing(missing: ApprovalProgress['missing']): string {
  return missing
    .map(({ rule, need }) => {
      const who = [...rule.users.map((u) => `<@${u}>`), ...rule.groups.map((g) => `<!subteam^${g}>`)].join(' or ');
      return `${need} more from ${who || 'an approver'}`;
    })
    .join(', ');
}
