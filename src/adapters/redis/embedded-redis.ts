import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer, createConnection } from 'node:net';
import { resolve } from 'node:path';
import { SlipwayError } from '../../core/errors.js';

export type EmbeddedRedis = { url: string; port: number; dataDir: string; stop(): Promise<void> };

/**
 * Starts `redis-server` on a loopback port (a free one unless given: a restart takes the same one) with its
 * data (append-only file on) under `dataDir`. `noeviction` because BullMQ breaks if Redis evicts its keys under
 * memory pressure.
 */
export async function startEmbeddedRedis(dataDir: string, { bin = 'redis-server', port: wanted }: { bin?: string; port?: number } = {}): Promise<EmbeddedRedis> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  const port = wanted ?? (await freePort());
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--appendonly', 'yes',
    '--maxmemory-policy', 'noeviction',
    '--save', '',
    '--daemonize', 'no',
    '--logfile', '',
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const remember = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);

  try {
    await waitUntilListening(child, port, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, port, dataDir: dir, stop: () => stopChild(child) };
}

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

async function waitUntilListening(child: ChildProcess, port: number, output: () => string): Promise<void> {
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
    if (await answersPing(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new SlipwayError('redis_start', `the embedded Redis did not answer on 127.0.0.1:${port} within 10 s`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolveAnswer(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolveAnswer(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolveAnswer(false);
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolveStop();
    });
    // SIGTERM makes redis-server flush the append-only file before it exits.
    child.kill('SIGTERM');
  });
}
