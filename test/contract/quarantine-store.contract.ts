import { describe, expect, it } from 'vitest';
import type { QuarantineStore } from '../../src/core/ports.js';
import { minute, sampleQuarantine } from './samples.js';
import type { MakeSubject } from './subject.js';

export function describeQuarantineStoreContract(name: string, make: MakeSubject<QuarantineStore>) {
  describe(`${name}: QuarantineStore`, () => {
    it('reads a quarantined release back by service, environment and digest', async () => {
      const { store } = await make();
      const quarantine = sampleQuarantine({ digest: 'sha256:c1' });

      await store.add(quarantine);

      expect(await store.get('discounts', 'production', 'sha256:c1')).toEqual(quarantine);
      expect(await store.get('discounts', 'staging', 'sha256:c1')).toBeUndefined();
      expect(await store.get('discounts', 'production', 'sha256:c2')).toBeUndefined();
    });

    it('lists an environment’s quarantines newest first, and only that environment’s', async () => {
      const { store } = await make();
      await store.add(sampleQuarantine({ digest: 'sha256:c2', at: minute(2) }));
      await store.add(sampleQuarantine({ digest: 'sha256:c3', at: minute(3) }));
      await store.add(sampleQuarantine({ digest: 'sha256:c1', at: minute(1) }));
      await store.add(sampleQuarantine({ digest: 'sha256:s1', environment: 'staging' }));

      const digests = (await store.list('discounts', 'production')).map((q) => q.digest);

      expect(digests).toEqual(['sha256:c3', 'sha256:c2', 'sha256:c1']);
      expect(await store.list('cart', 'production')).toEqual([]);
    });

    it('replaces the quarantine of a digest added again', async () => {
      const { store } = await make();
      await store.add(sampleQuarantine({ digest: 'sha256:c1', reason: 'first' }));

      await store.add(sampleQuarantine({ digest: 'sha256:c1', reason: 'second' }));

      expect((await store.list('discounts', 'production')).map((q) => q.reason)).toEqual(['second']);
    });

    it('lifts a quarantine, answering whether there was one', async () => {
      const { store } = await make();
      await store.add(sampleQuarantine({ digest: 'sha256:c1' }));

      const removed = await store.remove('discounts', 'production', 'sha256:c1');
      const again = await store.remove('discounts', 'production', 'sha256:c1');

      expect([removed, again]).toEqual([true, false]);
      expect(await store.get('discounts', 'production', 'sha256:c1')).toBeUndefined();
    });

    it('keeps what it stored whatever a caller does to the objects it passed or was given', async () => {
      const { store } = await make();
      const quarantine = sampleQuarantine({ digest: 'sha256:c1' });
      await store.add(quarantine);

      quarantine.reason = 'changed';
      (await store.list('discounts', 'production'))[0]!.by = 'U9';

      expect(await store.get('discounts', 'production', 'sha256:c1')).toEqual(sampleQuarantine({ digest: 'sha256:c1' }));
    });
  });
}
