import type { ServiceConfig } from './config-schema.js';
import type { PushRecord } from './ports.js';
import { ephemeralEnvName } from './naming.js';
import { branchOf, type PushEvent } from './push-event.js';
import { findServiceForRepo } from './repo-match.js';
import { routeFor } from './routing.js';
import type { StageName, Trigger } from './run.js';
import { planStages, teardownStages, type RunTarget } from './stage-plan.js';

export type PushDecision =
  | { kind: 'ignored'; reason: string }
  | { kind: 'run'; service: ServiceConfig; trigger: Trigger; branch: string; target: RunTarget; stages: StageName[] };

/** What a push should start, if anything. Pure: the webhook route acts on the answer. */
export function decidePush(event: PushEvent, services: readonly ServiceConfig[]): PushDecision {
  const branch = branchOf(event.ref);
  if (branch === undefined) {
    return { kind: 'ignored', reason: `${event.ref} is not a branch; only branch pushes are deployed` };
  }
  const service = findServiceForRepo(services, event.repo);
  if (!service) {
    return { kind: 'ignored', reason: `no service in slipway.yml is built from ${event.repo.fullName}` };
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
    if (!ephemeral) {
      return { kind: 'ignored', reason: `branch ${branch} was deleted; ${target.environment} keeps its release` };
    }
    return { kind: 'run', service, trigger: 'delete', branch, target, stages: teardownStages(target) };
  }
  return { kind: 'run', service, trigger: 'push', branch, target, stages: planStages(service, target) };
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
  if (!newest || event.before === newest.sha || event.after === newest.sha) return undefined;
  const beforeOf = new Map(pushes.map((p) => [p.sha, p.before]));
  const seen = new Set<string>();
  for (let at = newest.before; at && !seen.has(at); at = beforeOf.get(at)) {
    if (at === event.after) return newest;
    seen.add(at);
  }
  return undefined;
}
