import { readFile } from 'node:fs/promises';

const SYSCTL = '/proc/sys/net/ipv4/tcp_migrate_req';

/**
 * Why a proxy switch on this machine could reset connections, or undefined when it cannot. Caddy opens its
 * listeners anew (SO_REUSEPORT) on every config change and closes the old ones; Linux resets the connections
 * still queued on a closed listener unless `net.ipv4.tcp_migrate_req` (Linux 5.14+) moves them to the new one.
 * Measured here: with it off, about one switch in ten reset a new connection of a client sending without pause.
 */
export async function reloadResetsConnections(sysctl = SYSCTL): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  let value: string;
  try {
    value = (await readFile(sysctl, 'utf8')).trim();
  } catch {
    return 'this kernel cannot hand connections queued on a closing listener to the new one (net.ipv4.tcp_migrate_req needs Linux 5.14 or later): a blue/green switch may reset the few new connections that arrive during it';
  }
  if (value !== '0') return undefined;
  return 'net.ipv4.tcp_migrate_req is 0: a blue/green switch may reset the few new connections that arrive during it. Run sysctl -w net.ipv4.tcp_migrate_req=1 as root (and put it in /etc/sysctl.d/ to keep it)';
}
