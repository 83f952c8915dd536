import { type GitHost, hostBaseUrl } from './git-hosts.js';

/** The keys of a service's config these read (config-schema.ts imports this file: a structural type keeps them apart). */
type ServiceConfig = { name: string; repo: string; cloneUrl?: string };

/**
 * Reduces the ways one repository is written (https, ssh, scp-like, with credentials, with `.git`) to
 * `host/owner/name`, so a config's `repo` matches any URL a webhook carries. `owner/name` alone stays as is.
 */
export function repoKey(url: string): string {
  let text = url.trim().toLowerCase();
  const scpLike = /^[^/@]+@([^:/]+):(.+)$/.exec(text);
  if (scpLike) {
    text = `${scpLike[1]}/${scpLike[2]}`;
  } else if (text.includes('://')) {
    try {
      const parsed = new URL(text);
      text = parsed.protocol === 'file:' ? `file${parsed.pathname}` : `${parsed.hostname}${parsed.pathname}`;
    } catch {
      // not a URL after all: compare as written
    }
  }
  return text.replace(/\/+$/, '').replace(/\.git$/, '');
}

/**
 * The services built from a repository, in config order (several in a monorepo): matched by full URL, or by
 * `owner/name` when the config gives only that.
 */
export function findServicesForRepo<S extends Pick<ServiceConfig, 'repo'>>(
  services: readonly S[],
  repo: { fullName: string; urls: readonly string[] },
): S[] {
  const keys = new Set(repo.urls.map(repoKey));
  const fullName = repo.fullName.toLowerCase();
  return services.filter((service) => {
    const wanted = repoKey(service.repo);
    return keys.has(wanted) || (!wanted.includes('.') && !wanted.startsWith('file') && wanted === fullName);
  });
}

const isUrl = (repo: string) => /:\/\/|^[^/@]+@[^:/]+:/.test(repo);

/**
 * Where a service is cloned from, from config alone: `cloneUrl`, else `repo` when it is a URL, else (`repo` is
 * `owner/name`) the URL of that repository on a host whose base URL slipway knows (GitHub). Undefined when the
 * config does not say: a payload's URL is never used instead.
 */
export function configuredCloneUrl(service: Pick<ServiceConfig, 'cloneUrl' | 'repo'>, host?: GitHost): string | undefined {
  if (service.cloneUrl) return service.cloneUrl;
  if (isUrl(service.repo)) return service.repo;
  const base = host && hostBaseUrl(host);
  return base ? `${base}/${service.repo}.git` : undefined;
}

/**
 * Why a push matched to `service` does not come from the repository its config names, or undefined when it
 * does. The payload's clone URL must be the configured repository (same host and path; for `owner/name` on a
 * known host, that host), and its full name the configured path, so that a payload matching by one field
 * cannot claim another repository in the next.
 */
export function repoMismatch(service: Pick<ServiceConfig, 'name' | 'repo' | 'cloneUrl'>, repo: { fullName: string; urls: readonly string[] }, host: GitHost): string | undefined {
  const payloadUrl = repo.urls[0] ?? '';
  const payloadKey = repoKey(payloadUrl);
  const fullName = repo.fullName.toLowerCase();
  const both = (what: string, theirs: string, ours: string) =>
    `the push says its ${what} is ${theirs}, but ${service.name} is built from ${ours} (slipway.yml repo): refused`;
  if (isUrl(service.repo)) {
    const wanted = repoKey(service.repo);
    if (payloadKey !== wanted) return both('clone URL', payloadUrl, service.repo);
    // A local path (file://) carries no owner/name to compare.
    if (!wanted.startsWith('file') && !wanted.endsWith(`/${fullName}`)) return both('repository', repo.fullName, service.repo);
    return undefined;
  }
  const wanted = service.repo.toLowerCase();
  if (fullName !== wanted) return both('repository', repo.fullName, service.repo);
  const base = hostBaseUrl(host);
  if (!service.cloneUrl && base && payloadKey !== repoKey(`${base}/${wanted}`)) return both('clone URL', payloadUrl, `${base}/${service.repo}`);
  if (!payloadKey.endsWith(`/${wanted}`)) return both('clone URL', payloadUrl, service.repo);
  return undefined;
}
