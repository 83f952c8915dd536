import type { ChildProcess } from 'node:child_process';

/**
 * Stops a server slipway started: SIGTERM, on which Redis flushes its append-only file and Caddy answers the
 * requests in flight, then SIGKILL if it has not exited within `graceMs`.
 */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
