import { type AppsV1Api, PatchStrategy, setHeaderOptions, type V1Deployment, type V1PodTemplateSpec } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { replicaSetsOf, revisionOf, TEMPLATE_HASH } from './deployment-history.js';

/** Deployment annotations that belong to the Deployment, not to a revision: kept as they are on an undo (kubectl's list). */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export type UndoResult = { ok: true; revision: number; image?: string } | { ok: false; cause: string };

/**
 * `kubectl rollout undo`: the Deployment's template goes back to the ReplicaSet of the revision before the
 * newest, with that revision's annotations (the run that deployed it, its change-cause), in one JSON patch.
 * The deployment controller then rolls back to it as to any new template.
 */
export async function undoRollout(apps: AppsV1Api, deployment: V1Deployment, container: string): Promise<UndoResult> {
  const name = deployment.metadata?.name ?? '';
  const namespace = deployment.metadata?.namespace ?? 'default';
  // The newest revision is the failed one; the one before it ran until this rollout began.
  const [, previous] = (await replicaSetsOf(apps, deployment)).filter((rs) => revisionOf(rs) !== undefined);
  const revision = previous && revisionOf(previous);
  const template = previous?.spec?.template;
  if (!previous || revision === undefined || !template) return { ok: false, cause: `deployment ${name} has no earlier revision to undo to` };

  const restored: V1PodTemplateSpec = { ...template, metadata: { ...template.metadata, labels: { ...template.metadata?.labels } } };
  delete restored.metadata?.labels?.[TEMPLATE_HASH];
  const image = restored.spec?.containers.find((c) => c.name === container)?.image;
  if (isDeepStrictEqual(plain(restored), plain(deployment.spec?.template))) return { ok: true, revision, image };

  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(deployment.metadata?.annotations ?? {})) if (ANNOTATIONS_TO_SKIP.has(key)) annotations[key] = value;
  for (const [key, value] of Object.entries(previous.metadata?.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(key)) annotations[key] = value;
  // The client's model objects carry the API's field names (no pod template field is renamed), so JSON of
  // them is the wire form the API server expects.
  const patch = [
    { op: 'replace', path: '/spec/template', value: plain(restored) },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
  await apps.patchNamespacedDeployment({ name, namespace, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  return { ok: true, revision, image };
}

/** The object as JSON would carry it: no undefined keys, dates as strings. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
