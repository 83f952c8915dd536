import { describe, expect, it } from 'vitest';
import type { LockStore } from '../../src/core/ports.js';
import { sampleLock } from './samples.js';
import type { MakeSubject } from './subject.js';

const UNLOCKED_AT = new Date('2026-11-01T12:00:00.000Z');

export function describeLockStoreContract(name: string, make: MakeSubject<LockStore>) {
  describe(`${name}: LockStore`, () => {
    it('takes a free lock and lists it for its service', async () => {
      const { store } = await make();
      const lock = sampleLock();

      const taken = await store.take(lock);

      expect(taken).toEqual({ ok: true, lock });
      expect(taken).not.toHaveProperty('edited');
      expect(await store.get('discounts', 'production')).toEqual(lock);
      expect(await store.get('discounts', 'staging')).toBeUndefined();
      expect(await store.list('discounts')).toEqual([lock]);
      expect(await store.list('cart')).toEqual([]);
    });

    it('answers the lock someone else holds, unchanged', async () => {
      const { store } = await make();
      await store.take(sampleLock());

      const refused = await store.take(sampleLock({ by: 'U2', reason: 'mine now', at: '2026-11-01T11:00:00.000Z' }));

      expect(refused).toEqual({ ok: false, lock: sampleLock() });
      expect(await store.get('discounts', 'production')).toEqual(sampleLock());
    });

    it('lets the holder edit the reason; since when they hold it stays', async () => {
      const { store } = await make();
      await store.take(sampleLock());

      const edited = await store.take(sampleLock({ reason: 'audit, day two', at: '2026-11-02T10:00:00.000Z' }));

      expect(edited).toEqual({ ok: true, lock: sampleLock({ reason: 'audit, day two' }), edited: true });
      expect(await store.get('discounts', 'production')).toEqual(sampleLock({ reason: 'audit, day two' }));
    });

    it('lets exactly one of many racing people take it', async () => {
      const { store } = await make();

      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => store.take(sampleLock({ by: `U${i}` }))));

      expect(answers.filter((a) => a.ok)).toHaveLength(1);
      expect(new Set(answers.map((a) => a.lock.by)).size).toBe(1);
    });

    it('unlocks, answering nothing when nobody waits, and no longer lists it', async () => {
      const { store } = await make();
      await store.take(sampleLock());
      await store.take(sampleLock({ environment: 'staging' }));

      const next = await store.release('discounts', 'production', UNLOCKED_AT);

      expect(next).toBeUndefined();
      expect(await store.get('discounts', 'production')).toBeUndefined();
      expect(await store.list('discounts')).toEqual([sampleLock({ environment: 'staging' })]);
    });

    it('queues each person once, answering their place from 1', async () => {
      const { store } = await make();
      await store.take(sampleLock());
      const u2 = { by: 'U2', reason: 'deploy the fix', at: '2026-11-01T10:05:00.000Z' };
      const u3 = { by: 'U3', reason: 'load test', at: '2026-11-01T10:06:00.000Z' };

      const places = [
        await store.enqueue('discounts', 'production', u2),
        await store.enqueue('discounts', 'production', u3),
        await store.enqueue('discounts', 'production', { ...u2, reason: 'again' }),
      ];

      expect(places).toEqual([1, 2, 1]);
      expect(await store.queue('discounts', 'production')).toEqual([u2, u3]);
      expect(await store.queue('discounts', 'staging')).toEqual([]);
    });

    it('queues a person once however many of their clicks race', async () => {
      const { store } = await make();
      await store.take(sampleLock());
      const u2 = { by: 'U2', reason: 'deploy the fix', at: '2026-11-01T10:05:00.000Z' };

      const places = await Promise.all([1, 2, 3, 4, 5].map(() => store.enqueue('discounts', 'production', u2)));

      expect(places).toEqual([1, 1, 1, 1, 1]);
      expect(await store.queue('discounts', 'production')).toEqual([u2]);
    });

    it('hands the lock to the first in the queue on unlock, at the unlock’s time and with their reason', async () => {
      const { store } = await make();
      await store.take(sampleLock());
      await store.enqueue('discounts', 'production', { by: 'U2', reason: 'deploy the fix', at: '2026-11-01T10:05:00.000Z' });
      await store.enqueue('discounts', 'production', { by: 'U3', reason: 'load test', at: '2026-11-01T10:06:00.000Z' });

      const next = await store.release('discounts', 'production', UNLOCKED_AT);

      const handed = sampleLock({ by: 'U2', reason: 'deploy the fix', at: UNLOCKED_AT.toISOString() });
      expect(next).toEqual(handed);
      expect(await store.get('discounts', 'production')).toEqual(handed);
      expect(await store.list('discounts')).toEqual([handed]);
      expect((await store.queue('discounts', 'production')).map((w) => w.by)).toEqual(['U3']);
    });

    it('lists every locked environment of a service', async () => {
      const { store } = await make();
      await store.take(sampleLock());
      await store.take(sampleLock({ environment: 'staging', by: 'U2' }));
      await store.take(sampleLock({ service: 'cart' }));

      const locks = await store.list('discounts');

      expect(locks.map((l) => `${l.environment}:${l.by}`).sort()).toEqual(['production:U1', 'staging:U2']);
    });

    it('keeps what it stored whatever a caller does to the objects it passed or was given', async () => {
      const { store } = await make();
      const lock = sampleLock();
      await store.take(lock);
      const waiter = { by: 'U2', reason: 'deploy the fix', at: '2026-11-01T10:05:00.000Z' };
      await store.enqueue('discounts', 'production', waiter);

      lock.reason = 'changed';
      (await store.get('discounts', 'production'))!.by = 'U9';
      waiter.by = 'U9';
      (await store.queue('discounts', 'production'))[0]!.by = 'U8';

      expect(await store.get('discounts', 'production')).toEqual(sampleLock());
      expect((await store.queue('discounts', 'production'))[0]?.by).toBe('U2');
    });
  });
}
