import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { until } from './run-watch.js';
import type { LogLine } from './test-slipway.js';

/**
 * A `slipway worker` process (the built dist/src/main.js), as an operator runs one on a worker host: its own
 * environment (REDIS_URL, SLIPWAY_CONFIG, DOCKER_HOST… from `env`; nothing of those inherited from the test), and
 * its JSON log lines collected as they come, to tell which worker carried which run.
 */
export class WorkerProcess {
  readonly logs: LogLine[] = [];
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>) {
    // The test process's own REDIS_URL or config must not leak into a worker that was not given them.
    const { REDIS_URL: _redis, SLIPWAY_CONFIG: _config, ...inherited } = process.env;
    this.child = spawn(process.execPath, [resolve('dist/src/main.js'), 'worker'], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
    // Read always: a pipe nobody drains fills up and stops the worker's event loop.
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line (a stray print): nothing to learn from it
      }
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until the worker has started its queue workers and answers health (its log says so). */
  async ready(): Promise<void> {
    await until(async () => {
      if (!this.running) throw new Error(`the slipway worker exited (${this.child.exitCode ?? this.child.signalCode}) before it was ready`);
      return this.logs.some((l) => /answering health and metrics/.test(l.msg)) || undefined;
    }, 'a slipway worker to be ready', 60_000);
  }

  /** Whether this worker's log says it started `stage` of the run. */
  started(runId: string, stage: string): boolean {
    return this.logs.some((l) => l.runId === runId && l.stage === stage && l.msg === 'stage started');
  }

  /** SIGKILL, as the out-of-memory killer or a lost host does it: no cleanup of any kind. */
  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }
}
