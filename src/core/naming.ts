import { createHash } from 'node:crypto';

/** `<service>-<first 8 hex of sha256(branch)>`: stable per branch, safe as a container name, and short. */
export function ephemeralEnvName(service: string, branch: string): string {
  return `${service}-${createHash('sha256').update(branch).digest('hex').slice(0, 8)}`;
}

/** A branch as an image-tag-safe slug: `dev/Feature_X` → `dev-feature_x`. */
export function branchSlug(branch: string): string {
  const slug = branch
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 100);
  return slug === '' ? 'branch' : slug;
}

/** `<branch-slug>-<short sha>`. Docker tags allow 128 characters; the slug is capped so this always fits. */
export function imageTag(branch: string, sha: string): string {
  return `${branchSlug(branch)}-${sha.slice(0, 7)}`;
}

/** The container that runs a service in an environment; ephemeral names already carry the service. */
export function containerName(service: string, environment: string): string {
  return environment.startsWith(`${service}-`) ? environment : `${service}-${environment}`;
}
