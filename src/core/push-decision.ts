import { touchesPaths } from './changed-files.js';
import type { ServiceConfig } from './config-schema.js';
import type { PushRecord } from './ports.js';
import { ephemeralEnvName } from './naming.js';
import { branchOf, type PushEvent, ZERO_SHA } from './push-event.js';
import { branchNameProblem } from './ref-name.js';
import { configuredCloneUrl, findServicesForRepo, repoMismatch } from './repo-match.js';
import { routeFor } from './routing.js';
import type { Run, StageName, Trigger } from './run.js';
import { planStages, teardownStages, type RunTarget } from './stage-plan.js';

/** One run a push starts: for which service, from which branch, to where, through which stages. */
export type RunPlan = { service: ServiceConfig; trigger: Trigger; branch: string; target: RunTarget; stages: StageName[]; cloneUrl: string };

/** What a push means for one service of its repository. */
export type ServicePushDecision =
  | { kind: 'ignored'; reason: string }
  /** A push for a configured service that slipway will not build: the git host should show it as failed. */
  | { kind: 'refused'; reason: string }
  | ({ kind: 'run' } & RunPlan);

/** A service of the pushed repository that gets no run from this push, and why. */
export type SkippedService = { service: string; kind: 'ignored' | 'refused'; reason: string };

export type PushDecision =
  | { kind: 'ignored'; reason: string }
  | { kind: 'refused'; reason: string }
  /** One run per service of the repository that builds this push (several in a monorepo), in config order. */
  | { kind: 'run'; runs: RunPlan[]; skipped: SkippedService[] };

/**
 * What a push should start, if anything: a run for every service built from the pushed repository whose
 * branches and `paths` take it. Pure: the webhook route acts on the answer.
 */
export function decidePush(event: PushEvent, services: readonly ServiceConfig[]): PushDecision {
  const branch = branchOf(event.ref);
  if (branch === undefined) {
    return { kind: 'ignored', reason: `${event.ref} is not a branch; only branch pushes are deployed` };
  }
  const badBranch = branchNameProblem(branch);
  if (badBranch) return { kind: 'refused', reason: `${event.ref.slice(0, 300)} is not a branch name git accepts: it ${badBranch}` };
  const matched = findServicesForRepo(services, event.repo);
  if (matched.length === 0) {
    return { kind: 'ignored', reason: `no service in slipway.yml is built from ${event.repo.fullName}` };
  }
  const decided = matched.map((service) => ({ service, decision: decideServicePush(event, service, branch) }));
  const runs: RunPlan[] = [];
  const skipped: SkippedService[] = [];
  for (const { service, decision } of decided) {
    if (decision.kind === 'run') {
      const { kind: _run, ...plan } = decision;
      runs.push(plan);
    } else {
      skipped.push({ service: service.name, ...decision });
    }
  }
  if (runs.length > 0) return { kind: 'run', runs, skipped };
  const reason = skipped.map((s) => s.reason).join('; ');
  return { kind: skipped.some((s) => s.kind === 'refused') ? 'refused' : 'ignored', reason };
}

/** What a push to `branch` means for one service built from the pushed repository. */
export function decideServicePush(event: PushEvent, service: ServiceConfig, branch: string): ServicePushDecision {
  const mismatch = repoMismatch(service, event.repo, event.host);
  if (mismatch) return { kind: 'refused', reason: mismatch };
  // What is built comes from config alone, never from the payload's URLs.
  const cloneUrl = configuredCloneUrl(service, event.host);
  if (!cloneUrl) {
    return { kind: 'refused', reason: `slipway does not know where ${event.host} keeps ${service.repo}: set cloneUrl for service ${service.name} in slipway.yml` };
  }
  const route = routeFor(service.branches, branch);
  if (!route) {
    return { kind: 'ignored', reason: `branch ${branch} of ${service.name} matches no entry in its branches` };
  }
  const ephemeral = route.deploy === 'ephemeral';
  const target: RunTarget = {
    environment: ephemeral ? ephemeralEnvName(service.name, branch) : route.deploy,
    ephemeral,
  };
  if (event.deleted) {
    // Not filtered by paths: the branch's environment may exist from an earlier push, and must go.
    if (!ephemeral) {
      return { kind: 'ignored', reason: `branch ${branch} was deleted; ${target.environment} keeps its release` };
    }
    return { kind: 'run', service, trigger: 'delete', branch, target, stages: teardownStages(target), cloneUrl };
  }
  if (!touchesPaths(service.paths, event.changedFiles)) {
    return { kind: 'ignored', reason: `this push to ${branch} changes no file in the paths ${service.name} is built from (${service.paths?.join(', ')})` };
  }
  return { kind: 'run', service, trigger: 'push', branch, target, stages: planStages(service, target), cloneUrl };
}

/**
 * A push delivered late: its commit is already behind what was pushed to the branch since (deliveries can
 * arrive out of order). Pushes chain by `before` → `sha`, newest first; the event is stale when its `after`
 * lies on that chain behind the newest push, unless it continues from the newest (a force-push back to an older
 * commit is meant). Answers the newer push, or undefined when the event is not stale.
 */
export function newerPushOnBranch(event: Pick<PushEvent, 'before' | 'after'>, pushes: readonly PushRecord[]): PushRecord | undefined {
  const newest = pushes[0];
  // Late pushes are kept at the end only to link the chain; the first entry is always one that got a run.
  if (!newest) return undefined;
  // After the branch was deleted only a push that makes it anew (from no commit) is newer; any other came late.
  if (newest.sha === ZERO_SHA) return event.before === ZERO_SHA ? undefined : newest;
  if (event.before === newest.sha || event.after === newest.sha) return undefined;
  const beforeOf = new Map(pushes.map((p) => [p.sha, p.before]));
  const seen = new Set<string>();
  for (let at = newest.before; at && !seen.has(at); at = beforeOf.get(at)) {
    if (at === event.after) return newest;
    seen.add(at);
  }
  return undefined;
}

/**
 * Whether a run must prove, with git ancestry, that its commit is not older than `deployedSha`, the commit
 * last deployed from its branch to an environment. Only pushes are held to it: a person asking (`/deploy`,
 * `/rollback`, a retry) may go back on purpose, and so may a push that continues from the deployed commit (a
 * force-push back). A replayed old push — however long after the push log forgot it — is not deployed.
 */
export function needsAncestryCheck(run: Pick<Run, 'trigger' | 'sha' | 'before'>, deployedSha: string | undefined): deployedSha is string {
  return run.trigger === 'push' && deployedSha !== undefined && deployedSha !== run.sha && run.before !== deployedSha;
}
