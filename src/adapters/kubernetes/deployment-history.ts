import type { AppsV1Api, CoreV1Api, V1Deployment, V1LabelSelector, V1ReplicaSet } from '@kubernetes/client-node';

/** The annotation the deployment controller numbers a Deployment's ReplicaSets with. */
export const REVISION = 'deployment.kubernetes.io/revision';
/** The label that tells the ReplicaSets (and pods) of one pod template apart. */
export const TEMPLATE_HASH = 'pod-template-hash';

/** `matchLabels` as a label selector string (`app=web,tier=front`); `matchExpressions` as well, for `In`/`NotIn`/`Exists`. */
export function selectorOf(selector: V1LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  const expressions = (selector?.matchExpressions ?? []).map((e) => {
    switch (e.operator) {
      case 'In':
        return `${e.key} in (${(e.values ?? []).join(',')})`;
      case 'NotIn':
        return `${e.key} notin (${(e.values ?? []).join(',')})`;
      case 'DoesNotExist':
        return `!${e.key}`;
      default:
        return e.key;
    }
  });
  return [...labels, ...expressions].join(',');
}

export function revisionOf(rs: V1ReplicaSet): number | undefined {
  const text = rs.metadata?.annotations?.[REVISION];
  const revision = text === undefined ? NaN : Number(text);
  return Number.isInteger(revision) ? revision : undefined;
}

/** The ReplicaSets the Deployment controls (its selector matches, and it is their controller), newest revision first. */
export async function replicaSetsOf(apps: AppsV1Api, deployment: V1Deployment): Promise<V1ReplicaSet[]> {
  const namespace = deployment.metadata?.namespace ?? 'default';
  const list = await apps.listNamespacedReplicaSet({ namespace, labelSelector: selectorOf(deployment.spec?.selector) });
  const uid = deployment.metadata?.uid;
  return list.items
    .filter((rs) => rs.metadata?.ownerReferences?.some((owner) => owner.controller && owner.uid === uid))
    .sort((a, b) => (revisionOf(b) ?? 0) - (revisionOf(a) ?? 0));
}

/**
 * Why the newest ReplicaSet's pods are not ready, in a few words each (`web-7d9c-x2: CrashLoopBackOff`), as
 * `kubectl describe` would show: the container's waiting reason and message. Empty when nothing is known.
 */
export async function waitingReasons(core: CoreV1Api, rs: V1ReplicaSet | undefined, limit = 3): Promise<string[]> {
  const hash = rs?.metadata?.labels?.[TEMPLATE_HASH];
  if (!rs || !hash) return [];
  const namespace = rs.metadata?.namespace ?? 'default';
  const pods = await core.listNamespacedPod({ namespace, labelSelector: selectorOf({ matchLabels: { ...rs.spec?.selector?.matchLabels, [TEMPLATE_HASH]: hash } }) });
  const reasons: string[] = [];
  for (const pod of pods.items) {
    for (const status of pod.status?.containerStatuses ?? []) {
      const waiting = status.state?.waiting ?? status.lastState?.terminated;
      if (!waiting?.reason || status.ready) continue;
      const message = waiting.message ? ` (${waiting.message.slice(0, 160)})` : '';
      reasons.push(`${pod.metadata?.name}: ${waiting.reason}${message}`);
    }
  }
  return reasons.slice(0, limit);
}
