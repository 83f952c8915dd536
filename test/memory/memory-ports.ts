import { announcingStores } from '../../src/adapters/store/announcing-stores.js';
import { MemoryGateScheduler } from './memory-gate-scheduler.js';
import { MemoryRunQueue } from './memory-run-queue.js';
import { MemorySlackDirectory } from './memory-slack-directory.js';
import { memoryStores } from './memory-stores.js';
import { RecordedRunEvents } from './recorded-run-events.js';

export type MemoryPortsOptions = {
  /** The clock the stores' expiries read (ms). */
  now?: () => number;
  /** E-mail → Slack id. */
  users?: Record<string, string>;
  /** User group id → member ids. */
  groups?: Record<string, readonly string[]>;
};

/**
 * Every port a command, a request handler or a processor takes, in memory, wired as slipway wires them
 * (src/compose/stores.ts): the stores announce what changes to `events`, as the Redis ones do in production.
 */
export function memoryPorts(options: MemoryPortsOptions = {}) {
  const events = new RecordedRunEvents();
  const stores = announcingStores(memoryStores(options.now), events, (error) => {
    throw error;
  });
  return {
    ...stores,
    events,
    queue: new MemoryRunQueue(),
    gates: new MemoryGateScheduler(),
    directory: new MemorySlackDirectory(options.users, options.groups),
  };
}

export type MemoryPorts = ReturnType<typeof memoryPorts>;
