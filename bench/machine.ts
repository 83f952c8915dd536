import { execFile } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function versionOf(command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(command, args, { env: process.env });
    return stdout.trim().split('\n')[0] ?? '?';
  } catch {
    return 'not found';
  }
}

/** What the figures were measured on: they mean little without it. */
export async function machine(): Promise<string[]> {
  const cpu = cpus();
  return [
    `- CPU: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown'}`,
    `- Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Kernel: Linux ${release()}`,
    `- Node.js: ${process.version}`,
    `- Redis: ${await versionOf('redis-server', ['--version'])}`,
    `- Docker engine: ${await versionOf('docker', ['version', '--format', '{{.Server.Version}}'])}`,
    `- git: ${await versionOf('git', ['--version'])}`,
  ];
}
