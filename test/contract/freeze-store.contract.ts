import { describe, expect, it } from 'vitest';
import type { AdHocFreeze, FreezeStore } from '../../src/core/ports.js';
import { type MakeSubject, SECOND } from './subject.js';

const HOUR = 3600 * SECOND;

const freeze = (fields: Partial<AdHocFreeze> = {}): AdHocFreeze => ({
  service: 'discounts',
  environment: 'production',
  from: '2026-11-01T10:00:00.000Z',
  until: '2026-11-01T12:00:00.000Z',
  reason: 'Black Friday',
  by: 'U1',
  ...fields,
});

export function describeFreezeStoreContract(name: string, make: MakeSubject<FreezeStore>) {
  describe(`${name}: FreezeStore`, () => {
    it('reads an environment’s freeze back; a new one replaces it', async () => {
      const { store } = await make();
      await store.set(freeze());

      await store.set(freeze({ reason: 'incident', by: 'U2' }));

      expect(await store.get('discounts', 'production')).toEqual(freeze({ reason: 'incident', by: 'U2' }));
      expect(await store.get('discounts', 'staging')).toBeUndefined();
      expect(await store.get('cart', 'production')).toBeUndefined();
    });

    it('lifts a freeze, answering it, and answers nothing when there was none', async () => {
      const { store } = await make();
      await store.set(freeze());

      const removed = await store.remove('discounts', 'production');
      const again = await store.remove('discounts', 'production');

      expect(removed).toEqual(freeze());
      expect(again).toBeUndefined();
      expect(await store.get('discounts', 'production')).toBeUndefined();
    });

    it('forgets a freeze once as long as it lasts has passed since it was set', async () => {
      const { store, advance } = await make();
      await store.set(freeze());

      await advance(2 * HOUR - 10 * SECOND);
      const before = await store.get('discounts', 'production');
      await advance(20 * SECOND);

      expect(before).toEqual(freeze());
      expect(await store.get('discounts', 'production')).toBeUndefined();
    });

    it('keeps a freeze that has no length for a second', async () => {
      const { store, advance } = await make();
      await store.set(freeze({ until: '2026-11-01T10:00:00.000Z' }));

      const atOnce = await store.get('discounts', 'production');
      await advance(2 * SECOND);

      expect(atOnce).toBeDefined();
      expect(await store.get('discounts', 'production')).toBeUndefined();
    });
  });
}
