import { join } from 'node:path';
import { startEmbeddedCaddy } from '../adapters/proxy/embedded-caddy.js';
import type { ServiceConfig } from '../core/config-schema.js';
import type { Logger } from '../core/ports.js';
import type { Closers } from './closers.js';
import { needsEmbeddedProxy } from './targets.js';

/**
 * slipway's own Caddy, when an environment swaps blue/green on slipway's engine without naming a proxy: its
 * admin API address, or undefined when none is needed.
 */
export async function embeddedProxy(services: readonly ServiceConfig[], dataDir: string, log: Logger, closers: Closers): Promise<string | undefined> {
  if (!needsEmbeddedProxy(services)) return undefined;
  const caddy = await startEmbeddedCaddy(join(dataDir, 'caddy'));
  if (!caddy.adopted) {
    closers.add(async () => {
      await caddy.stop();
      log.info('embedded Caddy stopped');
    });
  }
  log.info(
    { admin: caddy.adminUrl, stateDir: caddy.stateDir },
    caddy.adopted
      ? 'a blue-green environment names no proxy.admin: using the embedded Caddy an earlier slipway left running (it keeps running after slipway stops)'
      : 'a blue-green environment names no proxy.admin: started an embedded Caddy (admin API on a unix socket in its state dir)',
  );
  if (caddy.warning) log.warn(caddy.warning);
  return caddy.adminUrl;
}
