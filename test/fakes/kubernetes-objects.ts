import { createHash } from 'node:crypto';

/** Helpers of the fake Kubernetes API server: its Status objects, validation, hashes and label selectors. */

/** Kubernetes objects as the API server stores them: plain JSON. */
export type Obj = any;

/** Kept on the Deployment, never copied to or from a ReplicaSet (the deployment controller's list). */
const SKIPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision', 'deployment.kubernetes.io/revision-history', 'deployment.kubernetes.io/desired-replicas', 'deployment.kubernetes.io/max-replicas', 'deprecated.deployment.rollback.to'];

export function status(code: number, reason: string, message: string, details?: Obj): { status: number; body: unknown } {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code } };
}

/** What the API server's validation says of a patched Deployment, for the fields a patch here can break. */
export function invalid(deployment: Obj): string | undefined {
  const containers = deployment?.spec?.template?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) return 'spec.template.spec.containers: Required value';
  for (const [i, c] of containers.entries()) {
    if (!c?.name) return `spec.template.spec.containers[${i}].name: Required value`;
    if (!c?.image) return `spec.template.spec.containers[${i}].image: Required value`;
  }
  const selector: Record<string, string> = deployment.spec.selector?.matchLabels ?? {};
  const labels: Record<string, string> = deployment.spec.template.metadata?.labels ?? {};
  if (Object.entries(selector).some(([k, v]) => labels[k] !== v)) return 'spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`';
  if (!Number.isInteger(deployment.spec.replicas) || deployment.spec.replicas < 0) return 'spec.replicas: Invalid value: must be greater than or equal to 0';
  return undefined;
}

export function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function copiedAnnotations(annotations: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([key]) => !SKIPPED_ANNOTATIONS.includes(key)));
}

/** What the controller names a template's ReplicaSet by: a hash of the template without its own hash label. */
export function templateHash(template: Obj): string {
  const copy = structuredClone(template);
  delete copy.metadata?.labels?.['pod-template-hash'];
  return createHash('sha256').update(stableJson(copy)).digest('hex').slice(0, 10);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

/** Equality-based label selectors (`a=b,c==d,e!=f`, `k`, `!k`), as the API server parses them; undefined when it cannot. */
export function parseSelector(text: string): ((labels: Record<string, string>) => boolean) | undefined {
  const tests: ((labels: Record<string, string>) => boolean)[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9./_-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(part);
    if (match) {
      const [, key, op, value] = match as unknown as [string, string, string, string];
      tests.push((labels) => (op === '!=' ? labels[key] !== value : labels[key] === value));
    } else if (/^!?[A-Za-z0-9./_-]+$/.test(part)) {
      const negated = part.startsWith('!');
      const key = part.replace(/^!/, '');
      tests.push((labels) => (key in labels) !== negated);
    } else {
      return undefined;
    }
  }
  return (labels) => tests.every((t) => t(labels));
}
