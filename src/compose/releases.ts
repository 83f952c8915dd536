import { registryImageTagger } from '../adapters/docker/registry-tag.js';
import { hostReleases } from '../adapters/git/host-releases.js';
import type { Env } from '../core/env-schema.js';
import type { HostReleases, ImageTagger } from '../core/ports.js';
import type { RegistryAuth } from '../adapters/docker/registry-auth.js';

/**
 * Where versions are made (`releases:` in slipway.yml): the hosts' tag and release APIs for those slipway has a
 * token for (the same tokens as commit statuses), and the registry, with the credentials pushes use.
 */
export function releaseTools(env: Env, credentials: (registry: string) => Promise<RegistryAuth>): { hosts: HostReleases; images: ImageTagger } {
  return {
    hosts: hostReleases({
      github: env.GITHUB_TOKEN ? { token: env.GITHUB_TOKEN, apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com' } : undefined,
      gitea: env.GITEA_TOKEN && env.GITEA_API_URL ? { token: env.GITEA_TOKEN, apiUrl: env.GITEA_API_URL } : undefined,
      gitlab: env.GITLAB_TOKEN ? { token: env.GITLAB_TOKEN, apiUrl: env.GITLAB_API_URL ?? 'https://gitlab.com/api/v4' } : undefined,
    }),
    images: registryImageTagger(credentials),
  };
}
