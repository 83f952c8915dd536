import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { SlipwayError } from '../../core/errors.js';
import { stopChild } from '../../lib/stop-child.js';

export type EmbeddedRedis = {
  /** `redis://:PASSWORD@127.0.0.1:PORT`: a secret, never to be logged. */
  url: string;
  /** `127.0.0.1:PORT`, what a log line may say. */
  address: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
};

const PASSWORD_FILE = 'password';
const PASSWORD = /^[0-9a-f]{32,}$/;

/**
 * Starts `redis-server` on a loopback port (a free one unless given: a restart takes the same one) with its
 * data (append-only file on) under `dataDir`. `noeviction` because BullMQ breaks if Redis evicts its keys under
 * memory pressure. A password is required: deployed containers and other local users share the loopback
 * interface. It is generated once and kept in `dataDir/password` (0600, directory 0700), so a restart on the
 * same data takes the same one; it goes to redis-server on stdin, never in argv where `ps` would show it.
 */
export async function startEmbeddedRedis(dataDir: string, { bin = 'redis-server', port: wanted }: { bin?: string; port?: number } = {}): Promise<EmbeddedRedis> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // A directory made by an older slipway (or with a looser umask) is tightened too.
  await chmod(dir, 0o700);
  const password = await redisPassword(dir);
  const port = wanted ?? (await freePort());
  const config = [
    `port ${port}`,
    'bind 127.0.0.1',
    'protected-mode yes',
    `requirepass ${password}`,
    `dir ${quoted(dir)}`,
    'appendonly yes',
    'maxmemory-policy noeviction',
    'save ""',
    'daemonize no',
    'logfile ""',
  ].join('\n');
  const child = spawn(bin, ['-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin?.on('error', () => {}); // a redis-server that is missing or exits at once: told by waitUntilListening
  child.stdin?.end(`${config}\n`);
  let output = '';
  const remember = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);

  try {
    await waitUntilListening(child, port, password, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    port,
    dataDir: dir,
    stop: () => stopChild(child),
  };
}

/** The password kept with the data: read when it is there, made (hex, 256 bits) when it is not. */
async function redisPassword(dir: string): Promise<string> {
  const file = join(dir, PASSWORD_FILE);
  try {
    await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  const password = (await readFile(file, 'utf8')).trim();
  if (!PASSWORD.test(password)) {
    throw new SlipwayError('redis_password', `${file} does not hold a password slipway made (hex, at least 32 characters): delete it and slipway makes a new one`);
  }
  return password;
}

/** redis.conf quoting: a data directory with spaces or quotes in its path still reads as one argument. */
const quoted = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilListening(child: ChildProcess, port: number, password: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let exited: string | undefined;
  child.once('error', (error) => {
    exited = (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'redis-server is not installed: run scripts/services.sh as root, or apt-get install redis-server'
      : error.message;
  });
  child.once('exit', (code) => {
    exited ??= `redis-server exited with code ${code}: ${output().trim().split('\n').slice(-3).join(' | ')}`;
  });
  while (Date.now() < deadline) {
    if (exited) throw new SlipwayError('redis_start', `cannot start the embedded Redis: ${exited}`);
    if (await answersPing(port, password)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new SlipwayError('redis_start', `the embedded Redis did not answer on 127.0.0.1:${port} within 10 s`);
}

/** Ready means it takes the password and answers PING (not LOADING, which it says while it replays the file). */
function answersPing(port: number, password: string): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolveAnswer(ok);
    };
    socket.setTimeout(500);
    socket.once('connect', () => socket.write(`AUTH ${password}\r\nPING\r\n`));
    socket.on('data', (data) => {
      answer += data.toString();
      const lines = answer.split('\r\n');
      if (lines.length >= 3) done(lines[0] === '+OK' && lines[1] === '+PONG');
    });
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
