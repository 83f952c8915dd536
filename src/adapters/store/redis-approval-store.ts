import type { Redis } from 'ioredis';
import { askedBefore } from '../../core/approval-policy.js';
import type { Vote } from '../../core/approval-rules.js';
import type { Approval, ApprovalStore, Decision } from '../../core/ports.js';
import { keys } from './redis-keys.js';
import { commit } from './commit.js';

// Compare-and-set in one step: of any number of racing clicks, one finds the request pending and decides it.
// A request past its time is marked expired instead, whoever clicks.
const DECIDE = `
local text = redis.call('GET', KEYS[1])
if not text then return nil end
local approval = cjson.decode(text)
if approval.state ~= 'pending' then return {0, text} end
if ARGV[2] ~= 'superseded' and ARGV[2] ~= 'cancelled' and ARGV[1] >= approval.expiresAt then
  approval.state = 'expired'
  approval.decidedAt = approval.expiresAt
  local expired = cjson.encode(approval)
  redis.call('SET', KEYS[1], expired)
  redis.call('SREM', KEYS[2], ARGV[5])
  return {0, expired}
end
approval.state = ARGV[2]
approval.decidedBy = ARGV[3]
approval.decidedAt = ARGV[1]
if ARGV[4] ~= '' then approval.reason = ARGV[4] end
local decided = cjson.encode(approval)
redis.call('SET', KEYS[1], decided)
redis.call('SREM', KEYS[2], ARGV[5])
return {1, decided}
`;

export class RedisApprovalStore implements ApprovalStore {
  constructor(private readonly redis: Redis) {}

  async open(approval: Approval): Promise<Approval[]> {
    await commit(
      this.redis
        .multi()
        .set(keys.approval(approval.runId, approval.environment), JSON.stringify(approval))
        .sadd(keys.pendingApprovals(approval.service), member(approval.runId, approval.environment))
    );
    // Read after joining: of two requests opened at once, each sees the other, and only the older is
    // superseded (by the time asked, then the run id), so exactly one stays pending.
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
    const text = await this.redis.get(keys.approval(runId, environment));
    return text === null ? undefined : (JSON.parse(text) as Approval);
  }

  async decide(runId: string, environment: string, decision: Decision): Promise<{ ok: boolean; approval: Approval }> {
    const service = (await this.get(runId, environment))?.service ?? '';
    const answer = (await this.redis.eval(
      DECIDE,
      2,
      keys.approval(runId, environment),
      keys.pendingApprovals(service),
      decision.at,
      decision.state,
      decision.by,
      decision.reason ?? '',
      member(runId, environment),
    )) as [number, string] | null;
    if (!answer) throw new Error(`no approval request for run ${runId} at ${environment}`);
    return { ok: answer[0] === 1, approval: JSON.parse(answer[1]) as Approval };
  }

  async pending(service: string): Promise<Approval[]> {
    const members = await this.redis.smembers(keys.pendingApprovals(service));
    const found = await Promise.all(
      members.map((m) => {
        const [runId, environment] = m.split('|') as [string, string];
        return this.get(runId, environment);
      }),
    );
    return found.filter((a): a is Approval => a?.state === 'pending');
  }

  async vote(runId: string, environment: string, vote: Vote): Promise<boolean> {
    const key = keys.approvalVotes(runId, environment);
    const [added] = await commit(this.redis.multi().hsetnx(key, vote.by, JSON.stringify(vote)).expire(key, VOTES_KEPT_SECONDS));
    return added === 1;
  }

  async votes(runId: string, environment: string): Promise<Vote[]> {
    const all = Object.values(await this.redis.hgetall(keys.approvalVotes(runId, environment))).map((t) => JSON.parse(t) as Vote);
    return all.sort((a, b) => a.at.localeCompare(b.at));
  }
}

const VOTES_KEPT_SECONDS = 30 * 24 * 3600;

const member = (runId: string, environment: string) => `${runId}|${environment}`;
