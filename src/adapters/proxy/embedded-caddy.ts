import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { SlipwayError } from '../../core/errors.js';
import { stopChild } from '../../lib/stop-child.js';
import { caddyAdmin, type AdminCall } from './caddy-admin.js';
import { reloadResetsConnections } from './reload-resets-connections.js';

export type EmbeddedCaddy = {
  /** What `caddyProxy` takes: `unix:///…/admin.sock`, or `http://127.0.0.1:PORT` with `adminPort`. */
  adminUrl: string;
  stateDir: string;
  /** Set when this machine's kernel may reset connections during a switch: for the log. */
  warning?: string;
  /** A Caddy an earlier slipway left running on this state dir, used as it is (and not stopped by `stop`). */
  adopted?: boolean;
  stop(): Promise<void>;
};

const CONFIG_FILE = 'caddy.json';
const SOCKET_FILE = 'admin.sock';
/** sun_path holds 108 bytes, the last one NUL. */
const MAX_SOCKET_PATH = 107;
const START_SECONDS = 15;

/** What Caddy autosaved last time (`admin.config.persist`): only the servers are taken from it. */
const Autosave = z.object({
  apps: z.object({ http: z.object({ servers: z.record(z.string(), z.unknown()).optional() }).optional() }).optional(),
});

/**
 * Starts `caddy run` with its admin API on a unix socket in `stateDir` (directory 0700), so only slipway's
 * user can change what the proxy does: on a loopback port any local process, deployed containers on host
 * networking included, could point environments elsewhere or make Caddy serve files as slipway's user.
 * `adminPort` puts it on 127.0.0.1:adminPort instead, with that exposure.
 *
 * HOME, XDG_DATA_HOME and XDG_CONFIG_HOME point under `stateDir`, so nothing goes to the real $HOME. Caddy
 * autosaves each config change there; a restart takes the servers from that file back, so environments
 * answer again at once and `upstream()` still tells which slot is live.
 */
export async function startEmbeddedCaddy(stateDir: string, { bin = 'caddy', adminPort }: { bin?: string; adminPort?: number } = {}): Promise<EmbeddedCaddy> {
  const dir = resolve(stateDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const socket = join(dir, SOCKET_FILE);
  if (adminPort === undefined && Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new SlipwayError('caddy_start', `cannot start the embedded Caddy: its admin socket path ${socket} is longer than the ${MAX_SOCKET_PATH} bytes a unix socket allows: run slipway from a shorter directory`);
  }
  const adminUrl = adminPort === undefined ? `unix://${socket}` : `http://127.0.0.1:${adminPort}`;
  const admin = caddyAdmin(adminUrl, { timeoutMs: 1_000 });
  if (await answers(admin)) {
    // Only slipway's user can have started a Caddy on a socket in this 0700 directory: one an earlier slipway
    // left running when it died, still serving the environments. It is used as it is, and left running on
    // stop (another slipway process may use it too). A second Caddy would take the socket over and fight it
    // for the same ports; on a port, the answer may be anyone's.
    if (adminPort !== undefined) {
      throw new SlipwayError('caddy_start', `cannot start the embedded Caddy: something already answers on 127.0.0.1:${adminPort}: stop it, or leave adminPort unset`);
    }
    return { adminUrl, stateDir: dir, adopted: true, warning: await reloadResetsConnections(), stop: async () => {} };
  }

  const autosave = join(dir, 'config', 'caddy', 'autosave.json');
  const servers = await savedServers(autosave);
  const config = {
    admin: { listen: adminPort === undefined ? `unix/${socket}` : `127.0.0.1:${adminPort}`, config: { persist: true } },
    apps: { http: { servers } },
  };
  const configFile = join(dir, CONFIG_FILE);
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });

  const child = spawn(bin, ['run', '--config', configFile], {
    // HOME too: the PKI library Caddy links makes ~/.step at start-up, whatever Caddy is asked to do.
    env: { ...process.env, HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const remember = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);

  try {
    await waitUntilAnswering(child, admin, adminUrl, () => output, Object.keys(servers).length > 0 ? autosave : undefined);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { adminUrl, stateDir: dir, warning: await reloadResetsConnections(), stop: () => stopChild(child) };
}

async function savedServers(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let saved: z.infer<typeof Autosave>;
  try {
    saved = Autosave.parse(JSON.parse(text));
  } catch {
    throw new SlipwayError('caddy_start', `cannot start the embedded Caddy: ${file} is not a config Caddy saved: delete it (the proxy's routes are made again by the next deploys)`);
  }
  return saved.apps?.http?.servers ?? {};
}

async function answers(admin: AdminCall): Promise<boolean> {
  try {
    return (await admin('GET', '/config/')).status === 200;
  } catch {
    return false;
  }
}

async function waitUntilAnswering(
  child: ChildProcess,
  admin: AdminCall,
  adminUrl: string,
  output: () => string,
  resumedFrom: string | undefined,
): Promise<void> {
  const deadline = Date.now() + START_SECONDS * 1000;
  let exited: string | undefined;
  child.once('error', (error) => {
    exited = (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'caddy is not installed: run scripts/services.sh as root, or apt-get install caddy'
      : error.message;
  });
  child.once('exit', (code, signal) => {
    const why = output().trim().split('\n').slice(-3).join(' | ');
    const resumed = resumedFrom ? ` (it took back the routes saved in ${resumedFrom}: free their ports, or delete that file to start without them)` : '';
    exited ??= `caddy exited with ${signal ?? `code ${code}`}: ${why}${resumed}`;
  });
  while (Date.now() < deadline) {
    if (exited) throw new SlipwayError('caddy_start', `cannot start the embedded Caddy: ${exited}`);
    if (await answers(admin)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new SlipwayError('caddy_start', `the embedded Caddy's admin API did not answer at ${adminUrl} within ${START_SECONDS} s: ${output().trim().split('\n').slice(-3).join(' | ')}`);
}
