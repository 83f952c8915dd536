import { describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/core/ports.js';
import { minute, sampleAuditEntry } from './samples.js';
import type { MakeSubject } from './subject.js';

export function describeAuditLogContract(name: string, make: MakeSubject<AuditLog>) {
  describe(`${name}: AuditLog`, () => {
    it('lists a service’s entries newest recorded first, and only that service’s', async () => {
      const { store } = await make();
      await store.record(sampleAuditEntry({ at: minute(1), action: 'lock', detail: 'release audit' }));
      await store.record(sampleAuditEntry({ at: minute(2), action: 'deploy', runId: 'r1' }));
      await store.record(sampleAuditEntry({ service: 'cart' }));

      const entries = await store.list('discounts');

      expect(entries).toEqual([
        sampleAuditEntry({ at: minute(2), action: 'deploy', runId: 'r1' }),
        sampleAuditEntry({ at: minute(1), action: 'lock', detail: 'release audit' }),
      ]);
      expect(await store.list('none')).toEqual([]);
    });

    it('lists 10 entries unless told how many', async () => {
      const { store } = await make();
      for (let m = 0; m < 12; m += 1) await store.record(sampleAuditEntry({ at: minute(m) }));

      const entries = await store.list('discounts');
      const two = await store.list('discounts', undefined, 2);

      expect(entries).toHaveLength(10);
      expect(entries[0]?.at).toBe(minute(11));
      expect(two.map((e) => e.at)).toEqual([minute(11), minute(10)]);
    });

    it('lists only one environment’s entries when given one, up to the limit', async () => {
      const { store } = await make();
      await store.record(sampleAuditEntry({ at: minute(1), environment: 'production' }));
      await store.record(sampleAuditEntry({ at: minute(2), environment: 'staging' }));
      await store.record(sampleAuditEntry({ at: minute(3), environment: undefined, action: 'freeze' }));
      await store.record(sampleAuditEntry({ at: minute(4), environment: 'production' }));
      await store.record(sampleAuditEntry({ at: minute(5), environment: 'production' }));

      const production = await store.list('discounts', 'production', 2);

      expect(production.map((e) => e.at)).toEqual([minute(5), minute(4)]);
    });

    it('keeps the newest 5,000 entries of a service', async () => {
      const { store } = await make();
      await Promise.all(Array.from({ length: 5_002 }, (_, i) => store.record(sampleAuditEntry({ detail: `entry ${i}` }))));

      const entries = await store.list('discounts', undefined, 6_000);

      expect(entries).toHaveLength(5_000);
      expect([entries[0]?.detail, entries.at(-1)?.detail]).toEqual(['entry 5001', 'entry 2']);
    });
  });
}
