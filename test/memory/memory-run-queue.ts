import type { RunQueue } from '../../src/core/ports.js';
import type { Run } from '../../src/core/run.js';

/**
 * The runs queue as BullRunQueue keeps it: one job per run id and step (enqueueing the pair again adds
 * nothing), a job a worker has taken cannot be removed. `take` plays the worker.
 */
export class MemoryRunQueue implements RunQueue {
  /** Job ids in the order they were queued: the run id, or `<run id>-<step>`. */
  readonly jobs: string[] = [];
  private readonly taken = new Set<string>();

  async enqueue(run: Run, step?: string): Promise<void> {
    const id = step ? `${run.id}-${step}` : run.id;
    // As BullMQ refuses it (its keys are separated by colons).
    if (id.includes(':')) throw new Error('Custom Id cannot contain :');
    if (!this.jobs.includes(id)) this.jobs.push(id);
  }

  async remove(run: Run): Promise<boolean> {
    if (this.taken.has(run.id)) return false;
    const at = this.jobs.indexOf(run.id);
    if (at >= 0) this.jobs.splice(at, 1);
    return true;
  }

  /** A worker picks the run's first job up. */
  take(runId: string): void {
    this.taken.add(runId);
  }
}
