import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { SlipwayError } from '../../core/errors.js';

/** The part of a Docker client config (`docker login` writes it) slipway reads: `auths[host].auth`. */
export const DockerClientConfig = z.object({
  auths: z.record(z.string(), z.object({ auth: z.string().optional() })).default({}),
});
export type DockerClientConfig = z.infer<typeof DockerClientConfig>;

/** The X-Registry-Auth a push or pull sends; without credentials only the address (old engines need that). */
export type RegistryAuth = { serveraddress: string; username?: string; password?: string };

/**
 * Credentials for `registry` (`host[:port]`) as Docker clients find them: `$DOCKER_CONFIG/config.json`, by
 * default `~/.docker/config.json`. No file or no entry: no credentials (a registry without auth takes that).
 * Read on every call so a new `docker login` counts without a restart. The values go to the engine only:
 * never into logs, job data or argv.
 */
export async function registryAuth(registry: string, env: NodeJS.ProcessEnv = process.env): Promise<RegistryAuth> {
  const file = join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { serveraddress: registry };
    throw new SlipwayError('registry_auth', `cannot read the Docker client config ${file}: ${(error as Error).message}`);
  }
  let parsed: DockerClientConfig;
  try {
    parsed = DockerClientConfig.parse(JSON.parse(text));
  } catch {
    throw new SlipwayError('registry_auth', `${file} is not a Docker client config (expected JSON with "auths"); run docker login again or fix it`);
  }
  const entry = Object.entries(parsed.auths).find(([key]) => registryHost(key) === registry)?.[1];
  if (!entry?.auth) return { serveraddress: registry };
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new SlipwayError('registry_auth', `${file}: the auth of ${registry} is not base64 of user:password; run docker login ${registry} again`);
  return { serveraddress: registry, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** What slipway.yml says of a registry's credentials: the names of the variables that hold them. */
export type RegistryCredentialNames = Record<string, { usernameEnv: string; passwordEnv: string }>;

/**
 * Credentials for `registry`: slipway.yml's `registries` first (values from slipway's environment), else
 * what `docker login` left (registryAuth). A configured variable that is unset is an error naming it: a
 * push or pull without the credentials the config promises would only fail later, less clearly.
 */
export function registryCredentials(configured: RegistryCredentialNames, env: NodeJS.ProcessEnv = process.env): (registry: string) => Promise<RegistryAuth> {
  return async (registry) => {
    const names = configured[registry];
    // DOCKER_CONFIG is the process's, as for the docker CLI; `env` holds the variables slipway.yml names.
    if (!names) return registryAuth(registry);
    const username = env[names.usernameEnv];
    const password = env[names.passwordEnv];
    const unset = [!username && names.usernameEnv, !password && names.passwordEnv].filter(Boolean);
    if (unset.length > 0) {
      throw new SlipwayError('registry_auth', `the credentials of registry ${registry} are not set: ${unset.join(' and ')} (registries in slipway.yml) must be in slipway's environment`);
    }
    return { serveraddress: registry, username, password };
  };
}

/** The registry host of an image reference (`127.0.0.1:5000/shop@sha256:…` → `127.0.0.1:5000`). */
export function registryOf(image: string): string {
  return image.split('/')[0] ?? '';
}

/** `auths` keys are `host:port`, or URLs (`https://host/v1/`) as older clients wrote them. */
function registryHost(key: string): string {
  if (!key.includes('://')) return key.replace(/\/+$/, '');
  try {
    return new URL(key).host;
  } catch {
    return key;
  }
}
