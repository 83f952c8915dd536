import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { healthUrl, type EnvironmentSpec } from '../../core/environment-spec.js';
import type { DeployTarget, HealthChecks, PlacedRelease, PlaceResult } from '../../core/ports.js';
import type { KubernetesTarget } from '../../core/target-schema.js';
import { type ClusterPlace, clusterProblem } from './cluster-errors.js';
import { replicaSetsOf, waitingReasons } from './deployment-history.js';
import { followRollout } from './follow-rollout.js';
import { connectCluster, type KubeConnection } from './kube-connection.js';
import { undoRollout } from './rollout-undo.js';

/** Annotations on the Deployment saying which run put its image there; the controller copies them to the revision's ReplicaSet. */
export const RUN_ANNOTATION = 'slipway.dev/run';
export const SHA_ANNOTATION = 'slipway.dev/sha';
const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/**
 * An environment that is a container of a Kubernetes Deployment. The cluster does the rolling update; slipway
 * sets the image to the release's digest (one strategic merge patch, with the run in annotations), follows
 * the rollout as `kubectl rollout status` does, checks the environment's url, and on failure undoes the
 * rollout to the previous ReplicaSet's template as `kubectl rollout undo` does.
 */
export function kubernetesTarget(spec: EnvironmentSpec, deps: { health: HealthChecks }): DeployTarget {
  if (spec.target?.kind !== 'kubernetes') throw new Error(`${spec.service} ${spec.environment} is not a kubernetes target`);
  const target: KubernetesTarget = spec.target;
  // A kubeconfig that cannot be read fails this environment's deploys with that sentence, not start-up.
  let connection: KubeConnection | { failed: unknown };
  try {
    connection = connectCluster(target);
  } catch (error) {
    connection = { failed: error };
  }
  const cluster = (): KubeConnection => {
    if ('failed' in connection) throw connection.failed;
    return connection;
  };
  const place: ClusterPlace = {
    server: 'failed' in connection ? '(no kubeconfig)' : connection.server,
    context: 'failed' in connection ? (target.context ?? '') : connection.context,
    namespace: target.namespace,
    deployment: target.deployment,
  };
  const ref = { name: target.deployment, namespace: target.namespace };
  const timeoutMs = target.deployTimeoutSeconds * 1000;
  const problem = (error: unknown) => ('failed' in connection && error === connection.failed ? (error as Error).message : clusterProblem(error, place));

  /** Undoes the failed rollout and follows the undo; answers what to add to the failure's sentence. */
  async function undo(deployment: V1Deployment, log: (...lines: string[]) => Promise<void>): Promise<string> {
    try {
      const { apps } = cluster();
      const undone = await undoRollout(apps, deployment, target.container);
      if (!undone.ok) return `; not undone: ${undone.cause}`;
      await log(`undoing the rollout: back to revision ${undone.revision}${undone.image ? ` (${undone.image})` : ''}`);
      const back = await followRollout(apps, ref, timeoutMs, log);
      return back.ok ? `; undone to revision ${undone.revision}` : `; undone to revision ${undone.revision}, but that rollout failed too: ${back.cause}`;
    } catch (error) {
      return `; the undo failed: ${problem(error)}`;
    }
  }

  async function placeRelease(release: PlacedRelease, log: (...lines: string[]) => Promise<void>): Promise<PlaceResult> {
    const { apps, core } = cluster();
    const current = await apps.readNamespacedDeployment(ref);
    const containers = current.spec?.template.spec?.containers.map((c) => c.name) ?? [];
    if (!containers.includes(target.container)) {
      return { ok: false, cause: `deployment ${target.deployment} in ${target.namespace} has no container ${target.container} (it has: ${containers.join(', ') || 'none'}): fix target.container` };
    }
    // Strategic merge: the containers list merges by name, so only this container's image changes.
    const patch = {
      metadata: {
        annotations: {
          [RUN_ANNOTATION]: release.runId,
          [SHA_ANNOTATION]: release.sha,
          [CHANGE_CAUSE]: `slipway run ${release.runId}: ${release.tag} (${release.sha.slice(0, 12)})`,
        },
      },
      spec: { template: { spec: { containers: [{ name: target.container, image: release.image }] } } },
    };
    const patched = await apps.patchNamespacedDeployment({ ...ref, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    await log(`set ${target.container}'s image on deployment ${target.namespace}/${target.deployment} (generation ${patched.metadata?.generation ?? '?'}); following the rollout`);

    const rollout = await followRollout(apps, ref, timeoutMs, log);
    let cause: string;
    if (rollout.ok) {
      const healthy = await deps.health.waitHealthy(healthUrl(spec), spec.healthTimeoutSeconds * 1000);
      if (healthy.ok) return { ok: true };
      cause = `the rollout finished but ${healthy.cause}`;
    } else {
      const [newest] = await replicaSetsOf(apps, rollout.deployment);
      const reasons = await waitingReasons(core, newest).catch(() => []);
      const condition = rollout.deployment.status?.conditions?.find((c) => c.type === 'Available' && c.status === 'False')?.message;
      cause = [rollout.cause, condition, reasons.length ? `pods: ${reasons.join('; ')}` : undefined].filter(Boolean).join('; ');
    }
    await log(cause);
    return { ok: false, cause: `${cause}${await undo(rollout.deployment, log)}` };
  }

  return {
    where: `kubernetes deployment ${target.namespace}/${target.deployment} on ${place.server}`,

    async place(release, log) {
      try {
        return await placeRelease(release, log);
      } catch (error) {
        return { ok: false, cause: problem(error) };
      }
    },

    // The rollout is the cluster's to keep; a revert is a deploy of the previous digest, which the stage makes.
    async settle(outcome) {
      return outcome === 'keep';
    },

    // Ephemeral environments do not run on a cluster: there is nothing of slipway's to take away.
    async remove() {
      return false;
    },

    // The deployment keeps no print of its settings and secrets yet: a run of the same digest rolls it out again.
    async alreadyLive() {
      return false;
    },

    async status() {
      const health = await deps.health.now(healthUrl(spec));
      try {
        const deployment = await cluster().apps.readNamespacedDeployment(ref);
        const image = deployment.spec?.template.spec?.containers.find((c) => c.name === target.container)?.image;
        const annotations = deployment.metadata?.annotations ?? {};
        return {
          running: image ? { image, runId: annotations[RUN_ANNOTATION], sha: annotations[SHA_ANNOTATION] } : undefined,
          replicas: { ready: deployment.status?.readyReplicas ?? 0, desired: deployment.spec?.replicas ?? 1 },
          health,
        };
      } catch (error) {
        return { health: `${health}; ${problem(error)}` };
      }
    },
  };
}
