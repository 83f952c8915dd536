import { decidePush, newerPushOnBranch } from '../core/push-decision.js';
import type { PushLog } from '../core/ports.js';
import type { PushEvent } from '../core/push-event.js';
import { repoKey } from '../core/repo-match.js';
import { newRun } from '../core/run.js';
import { type NewRunDeps, startRun } from './start-run.js';

export type PushAnswer =
  | { status: 202; body: { status: 'queued'; runId: string } }
  | { status: 200; body: { status: 'ignored'; reason: string } }
  | { status: 422; body: { status: 'refused'; reason: string } };

/** `scrub` takes known secrets out of what the pusher wrote (commit messages, names). */
export type AcceptPushDeps = NewRunDeps & { pushes: PushLog; scrub?: (text: string) => string };

/** Hosts redeliver for days at most; a week covers every retry schedule we know of. */
const DELIVERY_MEMORY_SECONDS = 7 * 24 * 3600;

/**
 * Turns a verified push into a queued run, once per push: a redelivery, or the same signed body sent again
 * under a new delivery id, gets the first answer and starts nothing. Only Redis work happens here — cloning
 * and Docker belong to the worker.
 */
export async function acceptPush(event: PushEvent, deps: AcceptPushDeps): Promise<PushAnswer> {
  const decision = decidePush(event, deps.services);
  if (decision.kind === 'ignored') return { status: 200, body: { status: 'ignored', reason: decision.reason } };
  if (decision.kind === 'refused') return { status: 422, body: { status: 'refused', reason: decision.reason } };

  const runId = deps.newRunId(decision.service.name);
  const scrub = deps.scrub ?? ((text: string) => text);
  const answer: PushAnswer = { status: 202, body: { status: 'queued', runId } };
  const deliveryKey = `delivery:${event.host}:${event.deliveryId}`;
  const earlier = await deps.once.claim(deliveryKey, JSON.stringify(answer), DELIVERY_MEMORY_SECONDS);
  if (earlier !== undefined) return JSON.parse(earlier) as PushAnswer;
  // A delivery id is the sender's word; what was pushed is in the signed body. The same push is one run.
  const pushKey = `push:${event.host}:${repoKey(decision.service.repo)}:${event.ref}:${event.before}:${event.after}`;
  const samePush = await deps.once.claim(pushKey, JSON.stringify(answer), DELIVERY_MEMORY_SECONDS);
  if (samePush !== undefined) {
    await deps.once.forget(deliveryKey);
    return JSON.parse(samePush) as PushAnswer;
  }
  const forget = () => Promise.allSettled([deps.once.forget(deliveryKey), deps.once.forget(pushKey)]);
  if (decision.trigger === 'push') {
    const newer = newerPushOnBranch(event, await deps.pushes.recent(decision.service.name, decision.branch));
    if (newer) {
      await forget();
      await deps.pushes.link(decision.service.name, decision.branch, { sha: event.after, before: event.before });
      const reason = `${event.after.slice(0, 7)} is older than ${newer.sha.slice(0, 7)}, already pushed to ${decision.branch} (run ${newer.runId}): a late delivery is not deployed over it`;
      return { status: 200, body: { status: 'ignored', reason } };
    }
  }

  const run = newRun(
    {
      id: runId,
      service: decision.service.name,
      trigger: decision.trigger,
      branch: decision.branch,
      sha: event.after,
      before: event.before,
      author: scrubPerson(event.author, scrub),
      triggeredBy: scrubPerson(event.pusher, scrub),
      commits: event.commits.map(({ sha, message, author }) => ({ sha, message: scrub(message), author: scrubPerson(author, scrub) })),
      cloneUrl: decision.cloneUrl,
      source: { host: event.host, fullName: event.repo.fullName },
      target: decision.target,
      stages: decision.stages,
      deliveryId: event.deliveryId,
    },
    deps.now(),
  );
  try {
    await startRun(run, deliveryKey, deps);
  } catch (error) {
    await forget();
    throw error;
  }
  if (run.trigger === 'push') await deps.pushes.record(run.service, run.branch, { runId: run.id, sha: run.sha, before: run.before });
  return answer;
}

function scrubPerson<P extends { name: string }>(person: P, scrub: (text: string) => string): P {
  return { ...person, name: scrub(person.name) };
}
