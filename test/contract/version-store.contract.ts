import { describe, expect, it } from 'vitest';
import type { VersionRecord, VersionStore } from '../../src/core/ports.js';
import type { MakeSubject } from './subject.js';

const record = (over: Partial<VersionRecord> = {}): VersionRecord => ({
  service: 'discounts',
  version: '0.1.0',
  tag: 'v0.1.0',
  sha: 'a'.repeat(40),
  digest: 'sha256:aaa',
  runId: 'discounts-1',
  at: '2026-12-02T10:00:00.000Z',
  ...over,
});

export function describeVersionStoreContract(name: string, make: MakeSubject<VersionStore>) {
  describe(`${name}: VersionStore`, () => {
    it('claims a version for a sha once: a second attempt for the sha gets the first record back, not fresh', async () => {
      const { store } = await make();

      const first = await store.claim(record());
      const again = await store.claim(record({ version: '0.2.0', tag: 'v0.2.0', runId: 'discounts-2' }));

      expect(first).toEqual({ ok: true, record: record(), fresh: true });
      expect(again).toEqual({ ok: true, record: record(), fresh: false });
      expect(await store.ofSha('discounts', 'a'.repeat(40))).toEqual(record());
      expect(await store.list('discounts')).toEqual([record()]);
    });

    it('refuses a version another sha holds, naming the holder', async () => {
      const { store } = await make();
      await store.claim(record());

      const taken = await store.claim(record({ sha: 'b'.repeat(40) }));

      expect(taken).toEqual({ ok: false, holder: record() });
      expect(await store.ofSha('discounts', 'b'.repeat(40))).toBeUndefined();
    });

    it('answers the newest version and the list newest first, per service', async () => {
      const { store } = await make();
      await store.claim(record());
      const second = record({ version: '0.2.0', tag: 'v0.2.0', sha: 'b'.repeat(40), previous: { version: '0.1.0', tag: 'v0.1.0', sha: 'a'.repeat(40) } });
      await store.claim(second);
      await store.claim(record({ service: 'cart', version: '3.0.0' }));

      expect(await store.latest('discounts')).toEqual(second);
      expect((await store.list('discounts')).map((r) => r.version)).toEqual(['0.2.0', '0.1.0']);
      expect((await store.list('discounts', 1)).map((r) => r.version)).toEqual(['0.2.0']);
      expect(await store.latest('nothing')).toBeUndefined();
    });
  });
}
