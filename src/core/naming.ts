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

/**
 * The longest names slipway takes from outside (git refs in payloads, slash-command text). Longer ones are
 * refused, never cut: a cut name could be another branch. 255 is git hosts' own limit for a ref's name; 63
 * is a DNS label's, which a service or environment name ends up in (container names, hostnames).
 */
export const NAME_LIMITS = { branch: 255, service: 63, environment: 63 } as const;
export type NamedThing = keyof typeof NAME_LIMITS;

/** Why a name from outside is refused for its length, or undefined when it fits. */
export function nameTooLong(kind: NamedThing, name: string): string | undefined {
  const limit = NAME_LIMITS[kind];
  if (name.length <= limit) return undefined;
  return `That ${kind} name is ${name.length} characters long; slipway takes ${kind} names of at most ${limit}.`;
}
