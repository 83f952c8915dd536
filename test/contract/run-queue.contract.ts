import { describe, expect, it } from 'vitest';
import type { RunQueue } from '../../src/core/ports.js';
import { sampleRun } from './samples.js';
import type { MakeSubject } from './subject.js';

/** A runs queue and what a test needs to look at it: the ids of its jobs, and a worker taking its next job. */
export type RunQueueSubject = {
  queue: RunQueue;
  /** Ids of the jobs queued or being worked on, sorted. */
  jobIds(): Promise<string[]>;
  /** A worker starts on the run's job (the only one queued). */
  take(runId: string): Promise<void>;
};

const run = (id: string) => sampleRun(id, 'discounts', '2026-11-01T10:00:00Z');

export function describeRunQueueContract(name: string, make: MakeSubject<RunQueueSubject>) {
  describe(`${name}: RunQueue`, () => {
    it('queues one job per run id and step, however often either is enqueued', async () => {
      const { store } = await make();

      await store.queue.enqueue(run('run-1'));
      await store.queue.enqueue(run('run-1'));
      await store.queue.enqueue(run('run-1'), 'after-production');
      await store.queue.enqueue(run('run-1'), 'after-production');
      await store.queue.enqueue(run('run-2'));

      expect(await store.jobIds()).toEqual(['run-1', 'run-1-after-production', 'run-2']);
    });

    it('refuses a step with a colon, and queues nothing for it', async () => {
      const { store } = await make();

      await expect(store.queue.enqueue(run('run-1'), 'approval:production')).rejects.toThrow(':');

      expect(await store.jobIds()).toEqual([]);
    });

    it('removes a job no worker has started, leaving the other runs and the run\'s later steps', async () => {
      const { store } = await make();
      await store.queue.enqueue(run('run-1'));
      await store.queue.enqueue(run('run-1'), 'after-production');
      await store.queue.enqueue(run('run-2'));

      const removed = await store.queue.remove(run('run-1'));

      expect(removed).toBe(true);
      expect(await store.jobIds()).toEqual(['run-1-after-production', 'run-2']);
    });

    it('answers true for a run it never queued, or one removed already', async () => {
      const { store } = await make();
      await store.queue.enqueue(run('run-1'));
      await store.queue.remove(run('run-1'));

      const unknown = await store.queue.remove(run('run-9'));
      const again = await store.queue.remove(run('run-1'));

      expect([unknown, again]).toEqual([true, true]);
      expect(await store.jobIds()).toEqual([]);
    });

    it('queues a removed run again when it is enqueued again', async () => {
      const { store } = await make();
      await store.queue.enqueue(run('run-1'));
      await store.queue.remove(run('run-1'));

      await store.queue.enqueue(run('run-1'));

      expect(await store.jobIds()).toEqual(['run-1']);
    });

    it('does not remove a job a worker has started', async () => {
      const { store } = await make();
      await store.queue.enqueue(run('run-1'));
      await store.take('run-1');

      const removed = await store.queue.remove(run('run-1'));

      expect(removed).toBe(false);
      expect(await store.jobIds()).toEqual(['run-1']);
    });
  });
}
