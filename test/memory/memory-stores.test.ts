import { describe, expect, it } from 'vitest';
import { manualClock } from './manual-clock.js';
import { memoryStores } from './memory-stores.js';

describe('memoryStores', () => {
  it('gives every store with a time to live the one clock it is given', async () => {
    const clock = manualClock();
    const stores = memoryStores(clock.now);
    await stores.once.claim('delivery-1', 'run-1', 60);
    await stores.lease.acquire('deploy', 'run-1', 60_000);

    clock.advance(61_000);

    expect(await stores.once.peek('delivery-1')).toBeUndefined();
    expect(await stores.lease.acquire('deploy', 'run-2', 60_000)).toBe(true);
  });

  it('gives fresh, separate stores each time', async () => {
    const first = memoryStores();
    const second = memoryStores();

    await first.passes.record('discounts', 'sha256:d1', 'staging');

    expect(await second.passes.passed('discounts', 'sha256:d1')).toEqual(new Set());
  });
});
