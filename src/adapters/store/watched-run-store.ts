import type { RunStore } from '../../core/ports.js';
import type { Run } from '../../core/run.js';

/**
 * Tells `changed` each time a run is created or saved with another status or stage status, whichever process
 * does it (a worker, an approval click, an expiry, a cancel): every one of them writes runs through its store.
 */
export function watchedRunStore(store: RunStore, changed: (run: Run, before: Run | undefined) => void): RunStore {
  return {
    async create(run) {
      await store.create(run);
      changed(run, undefined);
    },
    get: (id) => store.get(id),
    delete: (id) => store.delete(id),
    listByService: (service, limit) => store.listByService(service, limit),
    async save(run) {
      const before = await store.save(run);
      if (before?.status !== run.status || stageStatuses(before) !== stageStatuses(run)) changed(run, before);
      return before;
    },
  };
}

const stageStatuses = (run: Run) => run.stages.map((s) => s.status).join();
