import type { ServiceConfig } from './config-schema.js';

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

/** The service built from a repository: matched by full URL, or by `owner/name` when the config gives only that. */
export function findServiceForRepo(
  services: readonly ServiceConfig[],
  repo: { fullName: string; urls: readonly string[] },
): ServiceConfig | undefined {
  const keys = new Set(repo.urls.map(repoKey));
  const fullName = repo.fullName.toLowerCase();
  return services.find((service) => {
    const wanted = repoKey(service.repo);
    return keys.has(wanted) || (!wanted.includes('.') && !wanted.startsWith('file') && wanted === fullName);
  });
}

/** Where a service is cloned from without a push to tell: `cloneUrl`, else `repo` when it is a URL. */
export function configuredCloneUrl(service: Pick<ServiceConfig, 'cloneUrl' | 'repo'>): string | undefined {
  if (service.cloneUrl) return service.cloneUrl;
  return /:\/\/|^[^/@]+@[^:/]+:/.test(service.repo) ? service.repo : undefined;
}
