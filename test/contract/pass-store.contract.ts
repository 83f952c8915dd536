import { describe, expect, it } from 'vitest';
import type { PassStore } from '../../src/core/ports.js';
import type { MakeSubject } from './subject.js';

export function describePassStoreContract(name: string, make: MakeSubject<PassStore>) {
  describe(`${name}: PassStore`, () => {
    it('answers the environments a release got through, each once, per service and digest', async () => {
      const { store } = await make();

      await store.record('discounts', 'sha256:d1', 'staging');
      await store.record('discounts', 'sha256:d1', 'qa');
      await store.record('discounts', 'sha256:d1', 'staging');
      await store.record('discounts', 'sha256:d2', 'production');
      await store.record('cart', 'sha256:d1', 'production');

      expect(await store.passed('discounts', 'sha256:d1')).toEqual(new Set(['staging', 'qa']));
      expect(await store.passed('discounts', 'sha256:d9')).toEqual(new Set());
    });

    it('keeps what it stored whatever a caller does to the set it was given', async () => {
      const { store } = await make();
      await store.record('discounts', 'sha256:d1', 'staging');

      (await store.passed('discounts', 'sha256:d1')).add('production');

      expect(await store.passed('discounts', 'sha256:d1')).toEqual(new Set(['staging']));
    });
  });
}
