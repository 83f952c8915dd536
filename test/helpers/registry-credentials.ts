import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A Docker client config dir holding what `$DOCKER_CONFIG` holds, plus the credentials of `registry` under
 * `alias` too: for a proxy in front of the registry (the engine sends the credentials of the address it pushes
 * to). Point a slipway process's DOCKER_CONFIG at the answer.
 */
export async function dockerConfigWithAlias(alias: string, registry = '127.0.0.1:5000'): Promise<string> {
  let config: { auths?: Record<string, unknown> } = {};
  if (process.env.DOCKER_CONFIG) {
    try {
      config = JSON.parse(await readFile(join(process.env.DOCKER_CONFIG, 'config.json'), 'utf8')) as typeof config;
    } catch {
      // no login yet: a registry without auth
    }
  }
  const auths = config.auths ?? {};
  if (auths[registry]) auths[alias] = auths[registry];
  const dir = await mkdtemp(join(tmpdir(), 'slipway-docker-config-'));
  await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, auths }), { mode: 0o600 });
  return dir;
}
