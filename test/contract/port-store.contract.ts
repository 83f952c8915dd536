import { describe, expect, it } from 'vitest';
import type { PortStore } from '../../src/core/ports.js';
import type { MakeSubject } from './subject.js';

const range = { from: 9100, to: 9102 };

export function describePortStoreContract(name: string, make: MakeSubject<PortStore>) {
  describe(`${name}: PortStore`, () => {
    it('gives each environment the lowest free port of the range, and the same one when asked again', async () => {
      const { store } = await make();

      const a = await store.allocate('discounts', 'discounts-aaaa', range);
      const b = await store.allocate('discounts', 'discounts-bbbb', range);
      const again = await store.allocate('discounts', 'discounts-aaaa', range);

      expect([a, b, again]).toEqual([9100, 9101, 9100]);
      expect(await store.get('discounts', 'discounts-bbbb')).toBe(9101);
      expect(await store.get('discounts', 'discounts-none')).toBeUndefined();
    });

    it('gives a freed port to the next environment', async () => {
      const { store } = await make();
      await store.allocate('discounts', 'discounts-aaaa', range);
      await store.allocate('discounts', 'discounts-bbbb', range);

      await store.free('discounts', 'discounts-aaaa');
      await store.free('discounts', 'discounts-none');

      expect(await store.get('discounts', 'discounts-aaaa')).toBeUndefined();
      expect(await store.allocate('discounts', 'discounts-cccc', range)).toBe(9100);
    });

    it('refuses, saying what to do, when every port of the range is taken', async () => {
      const { store } = await make();
      for (const e of ['a', 'b', 'c']) await store.allocate('discounts', `discounts-${e}`, range);

      const full = store.allocate('discounts', 'discounts-d', range);

      await expect(full).rejects.toThrow("every port of discounts's ephemeral range 9100-9102 is taken: delete old branches or widen the range");
      expect(await store.get('discounts', 'discounts-d')).toBeUndefined();
    });

    it('gives racing environments different ports', async () => {
      const { store } = await make();

      const ports = await Promise.all(['a', 'b', 'c'].map((e) => store.allocate('discounts', `discounts-${e}`, range)));

      expect([...ports].sort((a, b) => a - b)).toEqual([9100, 9101, 9102]);
    });

    it('counts ports per service: another service may get the same port from its own range', async () => {
      const { store } = await make();
      await store.allocate('discounts', 'discounts-aaaa', range);

      const cart = await store.allocate('cart', 'cart-aaaa', range);

      expect(cart).toBe(9100);
    });
  });
}
