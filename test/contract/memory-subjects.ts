import { manualClock } from '../memory/manual-clock.js';
import type { MakeSubject } from './subject.js';

/** A `make` for a memory store: each subject gets a fresh store on its own clock. */
export function memorySubject<T>(build: (now: () => number) => T): MakeSubject<T> {
  return async () => {
    const clock = manualClock();
    return {
      store: build(clock.now),
      advance: async (ms) => clock.advance(ms),
    };
  };
}
