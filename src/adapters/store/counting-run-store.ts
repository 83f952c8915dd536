import type { RunStore } from '../../core/ports.js';
import { isFinished, type Run } from '../../core/run.js';

/**
 * Counts each run once, when it ends, whichever process ends it (a worker, an approval click, an expiry, a
 * cancel): every one of them saves the run through its store.
 */
export function countingRunStore(store: RunStore, onEnded: (run: Run) => void): RunStore {
  return {
    create: (run) => store.create(run),
    get: (id) => store.get(id),
    delete: (id) => store.delete(id),
    listByService: (service, limit) => store.listByService(service, limit),
    async save(run) {
      const endsNow = isFinished(run) && !isFinished((await store.get(run.id)) ?? run);
      await store.save(run);
      if (endsNow) onEnded(run);
    },
  };
}
