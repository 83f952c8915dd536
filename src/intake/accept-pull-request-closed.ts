import type { OnceStore } from '../core/ports.js';
import type { PullRequestClosed } from '../core/pull-request-comment.js';
import { ZERO_SHA } from '../core/push-event.js';
import { configuredCloneUrl, findServicesForRepo, repoKey } from '../core/repo-match.js';
import { newRun } from '../core/run.js';
import { teardownStages } from '../core/stage-plan.js';
import { type NewRunDeps, startRun } from '../queue/start-run.js';

/** The webhook's answer to a pull request event. */
export type CommentAnswer =
  | { status: 202; body: { status: 'queued'; runId: string } }
  | { status: 200; body: { status: 'refused' | 'ignored'; reason: string } };

/** What a `/deploy` comment made that no branch deletion removes: an ephemeral environment of the pull request's. */
export type PullRequestEnvironment = { branch: string; environment: string; fork: boolean; runId: string };

/** Long enough for any pull request's life; a later `/deploy` on it records it again. */
const REMEMBERED_SECONDS = 90 * 24 * 3600;

const environmentKey = (host: string, fullName: string, number: number, service: string) => `pr-environment:${host}:${fullName.toLowerCase()}:${number}:${service}`;

/**
 * Remembers the ephemeral environment a pull request's `/deploy` made, when a branch deletion would not tear it
 * down: a fork's (`pull/<n>/head`, no branch of ours), or a branch that does not route to `ephemeral`.
 */
export async function rememberEnvironment(once: OnceStore, event: { host: string; repo: { fullName: string }; number: number }, service: string, made: PullRequestEnvironment): Promise<void> {
  await once.claim(environmentKey(event.host, event.repo.fullName, event.number, service), JSON.stringify(made), REMEMBERED_SECONDS);
}

/**
 * A closed pull request (merged or not): the ephemeral environments its `/deploy` comments made, that no
 * branch deletion would remove, are torn down, as a deleted branch's are (a `delete` run per service). Once:
 * a redelivery finds nothing left to tear down.
 */
export async function acceptPullRequestClosed(event: PullRequestClosed, deps: NewRunDeps): Promise<CommentAnswer> {
  const runIds: string[] = [];
  for (const service of findServicesForRepo(deps.services, event.repo)) {
    const key = environmentKey(event.host, event.repo.fullName, event.number, service.name);
    const held = await deps.once.peek(key);
    const cloneUrl = configuredCloneUrl(service, event.host);
    if (!held || !cloneUrl) continue;
    const made = JSON.parse(held) as PullRequestEnvironment;
    const runId = deps.newRunId(service.name);
    // Claimed per deploy that made it: the same close delivered twice tears down once.
    const claimKey = `pr-closed:${event.host}:${repoKey(service.repo)}:${event.number}:${service.name}:${made.runId}`;
    const earlier = await deps.once.claim(claimKey, runId, REMEMBERED_SECONDS);
    if (earlier !== undefined) continue;
    const target = { environment: made.environment, ephemeral: true };
    const person = { name: event.by, username: event.by };
    const run = newRun(
      {
        id: runId,
        service: service.name,
        trigger: 'delete',
        branch: made.branch,
        sha: ZERO_SHA,
        before: ZERO_SHA,
        author: person,
        triggeredBy: person,
        commits: [],
        cloneUrl,
        source: { host: event.host, fullName: event.repo.fullName },
        target,
        stages: teardownStages(target),
        deliveryId: event.deliveryId,
        pullRequest: { number: event.number, by: event.by, fork: made.fork },
      },
      deps.now(),
    );
    await startRun(run, claimKey, deps);
    await deps.once.forget(key);
    runIds.push(runId);
  }
  if (runIds.length === 0) return { status: 200, body: { status: 'ignored', reason: `pull request #${event.number} left no environment of its own to tear down` } };
  return { status: 202, body: { status: 'queued', runId: runIds[0]! } };
}
