import { describe, expect, it } from 'vitest';
import type { Lease } from '../../src/core/ports.js';
import { type MakeSubject, SECOND } from './subject.js';

const TTL = 60 * SECOND;

export function describeLeaseContract(name: string, make: MakeSubject<Lease>) {
  describe(`${name}: Lease`, () => {
    it('is held by one owner at a time; the owner may take it again', async () => {
      const { store } = await make();

      const first = await store.acquire('deploy:discounts:production', 'run-1', TTL);
      const other = await store.acquire('deploy:discounts:production', 'run-2', TTL);
      const again = await store.acquire('deploy:discounts:production', 'run-1', TTL);
      const elsewhere = await store.acquire('deploy:discounts:staging', 'run-2', TTL);

      expect([first, other, again, elsewhere]).toEqual([true, false, true, true]);
    });

    it('lets exactly one of many racing owners take it', async () => {
      const { store } = await make();

      const taken = await Promise.all(Array.from({ length: 10 }, (_, i) => store.acquire('key', `run-${i}`, TTL)));

      expect(taken.filter(Boolean)).toHaveLength(1);
    });

    it('is renewed only by its owner, and only while held', async () => {
      const { store } = await make();
      await store.acquire('key', 'run-1', TTL);

      const byOther = await store.renew('key', 'run-2', TTL);
      const byOwner = await store.renew('key', 'run-1', TTL);
      const unheld = await store.renew('other-key', 'run-1', TTL);

      expect([byOther, byOwner, unheld]).toEqual([false, true, false]);
    });

    it('is released only by its owner', async () => {
      const { store } = await make();
      await store.acquire('key', 'run-1', TTL);

      await store.release('key', 'run-2');
      const whileHeld = await store.acquire('key', 'run-2', TTL);
      await store.release('key', 'run-1');
      const afterRelease = await store.acquire('key', 'run-2', TTL);

      expect([whileHeld, afterRelease]).toEqual([false, true]);
    });

    it('lapses after its time, so another owner may take it and the old one cannot renew it', async () => {
      const { store, advance } = await make();
      await store.acquire('key', 'run-1', TTL);

      await advance(TTL - 5 * SECOND);
      const before = await store.acquire('key', 'run-2', TTL);
      await advance(10 * SECOND);
      const renewed = await store.renew('key', 'run-1', TTL);
      const after = await store.acquire('key', 'run-2', TTL);

      expect([before, renewed, after]).toEqual([false, false, true]);
    });

    it('runs for its full time again from a renewal or a taking again', async () => {
      const { store, advance } = await make();
      await store.acquire('a', 'run-1', TTL);
      await store.acquire('b', 'run-1', TTL);

      await advance(50 * SECOND);
      await store.renew('a', 'run-1', TTL);
      await store.acquire('b', 'run-1', TTL);
      await advance(50 * SECOND);

      expect(await store.acquire('a', 'run-2', TTL)).toBe(false);
      expect(await store.acquire('b', 'run-2', TTL)).toBe(false);
    });
  });
}
