import { decidePush, newerPushOnBranch, type RunPlan } from '../core/push-decision.js';
import type { PushLog, PushRecord } from '../core/ports.js';
import { type PushEvent, ZERO_SHA } from '../core/push-event.js';
import { repoKey } from '../core/repo-match.js';
import { newRun } from '../core/run.js';
import { type NewRunDeps, startRun } from '../queue/start-run.js';

export type PushAnswer =
  /** `runId` is the first of `runIds` (one run per service a push builds), kept for callers that read one. */
  | { status: 202; body: { status: 'queued'; runId: string; runIds: string[] } }
  | { status: 200; body: { status: 'ignored'; reason: string } }
  | { status: 422; body: { status: 'refused'; reason: string } };

/** `scrub` takes known secrets out of what the pusher wrote (commit messages, names). */
export type AcceptPushDeps = NewRunDeps & { pushes: PushLog; scrub?: (text: string) => string };

/** Hosts redeliver for days at most; a week covers every retry schedule we know of. */
const DELIVERY_MEMORY_SECONDS = 7 * 24 * 3600;

/**
 * Turns a verified push into queued runs, one per service it builds, once per push: a redelivery, or the same
 * signed body sent again under a new delivery id, gets the first answer and starts nothing. Only Redis work
 * happens here — cloning and Docker belong to the worker.
 */
export async function acceptPush(event: PushEvent, deps: AcceptPushDeps): Promise<PushAnswer> {
  const decision = decidePush(event, deps.services);
  if (decision.kind === 'ignored') return { status: 200, body: { status: 'ignored', reason: decision.reason } };
  if (decision.kind === 'refused') return { status: 422, body: { status: 'refused', reason: decision.reason } };

  const fresh = decision.runs.map((plan) => deps.newRunId(plan.service.name));
  const deliveryKey = `delivery:${event.host}:${event.deliveryId}`;
  const pushKeys = decision.runs.map((plan) => pushKey(event, plan));
  // One round trip to Redis: the delivery and each service's push claimed as one step (a delivery id is the
  // sender's word; what was pushed is in the signed body: the same push is one run per service), and the
  // branches' recent pushes read behind them. A redelivery claims nothing and gets the first answer.
  const [claimed, recent] = await Promise.all([
    deps.once.claimGroup({ key: deliveryKey, value: JSON.stringify(queued(fresh)) }, pushKeys.map((key, i) => ({ key, value: fresh[i]! })), DELIVERY_MEMORY_SECONDS),
    Promise.all(decision.runs.map((plan) => (plan.trigger === 'push' ? deps.pushes.recent(plan.service.name, plan.branch) : []))),
  ]);
  if ('held' in claimed) return JSON.parse(claimed.held) as PushAnswer;

  const outcomes: Outcome[] = [];
  try {
    for (const [i, plan] of decision.runs.entries()) {
      const samePush = claimed.rest[i];
      outcomes.push(samePush !== undefined ? { kind: 'earlier', runId: samePush } : await startPlanned(event, plan, { runId: fresh[i]!, pushKey: pushKeys[i]!, recent: recent[i]! }, deps));
    }
  } catch (error) {
    // The services not reached yet were claimed too: forget those claims with the delivery's.
    const unreached = pushKeys.filter((_, i) => i > outcomes.length && claimed.rest[i] === undefined);
    await Promise.allSettled([deliveryKey, ...unreached].map((key) => deps.once.forget(key)));
    throw error;
  }
  const runIds = outcomes.flatMap((o) => (o.kind === 'ignored' ? [] : [o.runId]));
  // The delivery's stored answer must name the runs that exist: when any differ from the fresh ids, forget it,
  // so that a redelivery is answered from the per-service push records instead.
  if (runIds.length !== fresh.length || runIds.some((id, i) => id !== fresh[i])) await deps.once.forget(deliveryKey);
  if (runIds.length === 0) {
    return { status: 200, body: { status: 'ignored', reason: outcomes.map((o) => (o.kind === 'ignored' ? o.reason : '')).join('; ') } };
  }
  return queued(runIds);
}

type Outcome = { kind: 'started' | 'earlier'; runId: string } | { kind: 'ignored'; reason: string };

const queued = (runIds: string[]): PushAnswer => ({ status: 202, body: { status: 'queued', runId: runIds[0]!, runIds } });

/**
 * The claim of one service's run of a push. A Gogs or Gitea branch deletion names no commit (both shas are
 * zeros), so a branch deleted, made again and deleted again would look like the same push: it is told apart by
 * its delivery. A replayed deletion can only tear down an environment that is already gone.
 */
function pushKey(event: PushEvent, plan: RunPlan): string {
  const what = event.deleted && event.before === ZERO_SHA ? `delivery-${event.deliveryId}` : `${event.before}:${event.after}`;
  return `push:${event.host}:${repoKey(plan.service.repo)}:${plan.service.name}:${event.ref}:${what}`;
}

/** Starts one service's run of a push, claimed under `pushKey`, unless the branch has a newer push. */
async function startPlanned(event: PushEvent, plan: RunPlan, { runId, pushKey, recent }: { runId: string; pushKey: string; recent: readonly PushRecord[] }, deps: AcceptPushDeps): Promise<Outcome> {
  if (plan.trigger === 'push') {
    const newer = newerPushOnBranch(event, recent);
    if (newer) {
      await deps.once.forget(pushKey);
      await deps.pushes.link(plan.service.name, plan.branch, { sha: event.after, before: event.before });
      const reason = newer.sha === ZERO_SHA
        ? `${plan.branch} was deleted after ${event.after.slice(0, 7)} was pushed (run ${newer.runId}): a late delivery does not bring its environment back`
        : `${event.after.slice(0, 7)} is older than ${newer.sha.slice(0, 7)}, already pushed to ${plan.branch} (run ${newer.runId}): a late delivery is not deployed over it`;
      return { kind: 'ignored', reason };
    }
  }

  const scrub = deps.scrub ?? ((text: string) => text);
  const run = newRun(
    {
      id: runId,
      service: plan.service.name,
      trigger: plan.trigger,
      branch: plan.branch,
      sha: event.after,
      before: event.before,
      author: scrubPerson(event.author, scrub),
      triggeredBy: scrubPerson(event.pusher, scrub),
      commits: event.commits.map(({ sha, message, author, at }) => ({ sha, message: scrub(message), author: scrubPerson(author, scrub), ...(at ? { at } : {}) })),
      cloneUrl: plan.cloneUrl,
      source: { host: event.host, fullName: event.repo.fullName },
      target: plan.target,
      stages: plan.stages,
      deliveryId: event.deliveryId,
    },
    deps.now(),
  );
  // On failure startRun forgets the push key, so a redelivery starts this run.
  await startRun(run, pushKey, deps);
  // A deletion is recorded too (its sha is zeros): a push delivered after it is known to be late.
  await deps.pushes.record(run.service, run.branch, { runId: run.id, sha: run.sha, before: run.before });
  return { kind: 'started', runId };
}

function scrubPerson<P extends { name: string }>(person: P, scrub: (text: string) => string): P {
  return { ...person, name: scrub(person.name) };
}
