import { askedBefore } from '../../src/core/approval-policy.js';
import type { Vote } from '../../src/core/approval-rules.js';
import type { Approval, ApprovalStore, Decision } from '../../src/core/ports.js';
import { ExpiringMap } from './expiring-map.js';

const VOTES_KEPT_MS = 30 * 24 * 3600 * 1000;

export class MemoryApprovalStore implements ApprovalStore {
  /** By `runId|environment`. */
  private readonly approvals = new Map<string, Approval>();
  /** Per service, the `runId|environment` of its requests not yet decided. */
  private readonly undecided = new Map<string, Set<string>>();
  /** By `runId|environment`: voter → vote, in the order they came; kept 30 days from the last vote. */
  private readonly ballots: ExpiringMap<Map<string, Vote>>;

  constructor(now: () => number = Date.now) {
    this.ballots = new ExpiringMap(now);
  }

  async open(approval: Approval): Promise<Approval[]> {
    this.approvals.set(member(approval.runId, approval.environment), structuredClone(approval));
    this.undecidedOf(approval.service).add(member(approval.runId, approval.environment));
    // As the Redis store: read after joining, and only older requests (by time asked, then run id) are superseded.
    const older = (await this.pending(approval.service)).filter(
      (a) => a.environment === approval.environment && a.runId !== approval.runId && askedBefore(a, approval),
    );
    const superseded: Approval[] = [];
    for (const old of older) {
      const result = await this.decide(old.runId, old.environment, {
        state: 'superseded',
        by: approval.runId,
        at: approval.requestedAt,
        reason: `${approval.tag} (run ${approval.runId}) reached this gate after it`,
      });
      if (result.ok) superseded.push(result.approval);
    }
    return superseded;
  }

  async get(runId: string, environment: string): Promise<Approval | undefined> {
    const approval = this.approvals.get(member(runId, environment));
    return approval === undefined ? undefined : structuredClone(approval);
  }

  // Compare-and-set with no await in between, as the Redis store's script: one of many racing clicks decides.
  async decide(runId: string, environment: string, decision: Decision): Promise<{ ok: boolean; approval: Approval }> {
    const key = member(runId, environment);
    const stored = this.approvals.get(key);
    if (stored === undefined) throw new Error(`no approval request for run ${runId} at ${environment}`);
    if (stored.state !== 'pending') return { ok: false, approval: structuredClone(stored) };
    const approval = structuredClone(stored);
    const timed = decision.state !== 'superseded' && decision.state !== 'cancelled';
    // ISO times compare as text, as the script compares them.
    const ok = !(timed && decision.at >= approval.expiresAt);
    if (ok) {
      approval.state = decision.state;
      approval.decidedBy = decision.by;
      approval.decidedAt = decision.at;
      if (decision.reason) approval.reason = decision.reason;
    } else {
      approval.state = 'expired';
      approval.decidedAt = approval.expiresAt;
    }
    this.approvals.set(key, approval);
    this.undecidedOf(approval.service).delete(key);
    return { ok, approval: structuredClone(approval) };
  }

  async pending(service: string): Promise<Approval[]> {
    return [...this.undecidedOf(service)]
      .map((key) => this.approvals.get(key))
      .filter((a): a is Approval => a?.state === 'pending')
      .map((a) => structuredClone(a));
  }

  async vote(runId: string, environment: string, vote: Vote): Promise<boolean> {
    const key = member(runId, environment);
    const ballot = this.ballots.get(key) ?? new Map<string, Vote>();
    const added = !ballot.has(vote.by);
    if (added) ballot.set(vote.by, structuredClone(vote));
    this.ballots.set(key, ballot, VOTES_KEPT_MS);
    return added;
  }

  async votes(runId: string, environment: string): Promise<Vote[]> {
    const all = [...(this.ballots.get(member(runId, environment))?.values() ?? [])].map((v) => structuredClone(v));
    return all.sort((a, b) => a.at.localeCompare(b.at));
  }

  private undecidedOf(service: string): Set<string> {
    const set = this.undecided.get(service) ?? new Set<string>();
    this.undecided.set(service, set);
    return set;
  }
}

const member = (runId: string, environment: string) => `${runId}|${environment}`;
