import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { parse } from 'yaml';

export type Child = {
  child: ChildProcess;
  port: number;
  /** Everything it wrote so far. */
  output(): string;
  /** Peak resident memory in MiB (VmHWM): what it needed at its busiest. */
  peakRssMiB(): Promise<number>;
  stop(): Promise<void>;
};

/** Starts a Node script (compiled JS) with `nodeFlags` and, given `portLine`, waits for the line that names its port. */
export async function startNode(script: string, args: string[], env: Record<string, string>, portLine?: RegExp, nodeFlags: readonly string[] = []): Promise<Child> {
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": to see where a figure's time goes.
  const nodeArgs = [...nodeFlags, ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, resolve(script), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
  const port = await new Promise<number>((done, fail) => {
    if (!portLine) return done(0);
    const timer = setTimeout(() => fail(new Error(`${script} did not start in 30 s:\n${output}`)), 30_000);
    const look = () => {
      const found = portLine.exec(output);
      if (found) {
        clearTimeout(timer);
        child.stdout?.off('data', look);
        done(Number(found[1]));
      }
    };
    child.stdout?.on('data', look);
    child.once('exit', (code) => fail(new Error(`${script} exited with ${code}:\n${output}`)));
  });
  return {
    child,
    port,
    output: () => output,
    async peakRssMiB() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** A port nobody listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** The Node flags docker-compose.yml starts slipway's `server` or `worker` with (its command's words before the script). */
export function composeNodeFlags(mode: 'server' | 'worker'): string[] {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, { command: string[] }> };
  const command = compose.services[mode]!.command;
  return command.slice(1, command.indexOf('dist/src/main.js'));
}

/**
 * slipway as it is started: dist/src/main.js all in one as `npm start` runs it, or `server` or `worker` as
 * docker-compose.yml runs them (with its Node flags); on a port chosen here (its log level may hide the line
 * that names it), ready once /healthz answers.
 */
export async function startSlipwayProcess(env: Record<string, string>, mode: 'all' | 'server' | 'worker' = 'all'): Promise<Child> {
  const port = await freePort();
  const started = startNode('dist/src/main.js', mode === 'all' ? [] : [mode], { ...env, PORT: String(port) }, undefined, mode === 'all' ? [] : composeNodeFlags(mode));
  const child = await started;
  for (let i = 0; i < 300; i += 1) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (up) return { ...child, port };
    if (child.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await child.stop();
  throw new Error(`slipway did not answer /healthz on port ${port} in 30 s:\n${child.output()}`);
}
