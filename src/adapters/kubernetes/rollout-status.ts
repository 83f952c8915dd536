import type { V1Deployment } from '@kubernetes/client-node';

/** Where a Deployment's rollout stands, judged as `kubectl rollout status` judges it. */
export type RolloutState =
  | { phase: 'waiting'; message: string }
  | { phase: 'done'; message: string }
  | { phase: 'failed'; message: string };

/** The Progressing condition's reason once the controller gave up on the rollout (`progressDeadlineSeconds`). */
export const DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

/**
 * The rollout of `deployment`, as kubectl's DeploymentStatusViewer reads it
 * (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go): nothing counts until the controller
 * has observed the latest spec; then the progress deadline, updated replicas, old replicas still terminating,
 * and updated replicas not yet available, in that order.
 */
export function rolloutState(deployment: V1Deployment): RolloutState {
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  if (generation > (status.observedGeneration ?? 0)) return { phase: 'waiting', message: 'waiting for the new spec to be observed' };
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === DEADLINE_EXCEEDED) {
    return { phase: 'failed', message: `exceeded its progress deadline${progressing.message ? ` (${progressing.message})` : ''}` };
  }
  const desired = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired) return { phase: 'waiting', message: `${updated}/${desired} replicas updated` };
  if (total > updated) return { phase: 'waiting', message: `${total - updated} old replica${total - updated === 1 ? '' : 's'} pending termination` };
  if (available < updated) return { phase: 'waiting', message: `${available}/${updated} updated replicas available` };
  return { phase: 'done', message: `${updated}/${desired} replicas updated and available` };
}
