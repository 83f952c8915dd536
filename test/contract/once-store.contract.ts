import { describe, expect, it } from 'vitest';
import type { OnceStore } from '../../src/core/ports.js';
import { type MakeSubject, SECOND } from './subject.js';

export function describeOnceStoreContract(name: string, make: MakeSubject<OnceStore>) {
  describe(`${name}: OnceStore`, () => {
    it('stores the first claim, answers later claims with it and keeps it', async () => {
      const { store } = await make();

      const first = await store.claim('delivery-1', 'run-1', 60);
      const second = await store.claim('delivery-1', 'run-2', 60);

      expect(first).toBeUndefined();
      expect(second).toBe('run-1');
      expect(await store.peek('delivery-1')).toBe('run-1');
    });

    it('lets exactly one of many racing claims win and tells the others what it stored', async () => {
      const { store } = await make();

      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claim('race', `claim-${i}`, 60)));

      expect(answers.filter((a) => a === undefined)).toHaveLength(1);
      const stored = await store.peek('race');
      expect(answers.filter((a) => a !== undefined).every((a) => a === stored)).toBe(true);
    });

    it('peeks without claiming', async () => {
      const { store } = await make();

      const peeked = await store.peek('delivery-1');
      const claimed = await store.claim('delivery-1', 'run-1', 60);

      expect(peeked).toBeUndefined();
      expect(claimed).toBeUndefined();
    });

    it('lets a forgotten key be claimed again; forgetting an unknown key does nothing', async () => {
      const { store } = await make();
      await store.claim('delivery-1', 'run-1', 60);

      await store.forget('delivery-1');
      await store.forget('never-claimed');

      expect(await store.peek('delivery-1')).toBeUndefined();
      expect(await store.claim('delivery-1', 'run-2', 60)).toBeUndefined();
    });

    it('forgets a claim once its time is up, and a losing claim does not extend it', async () => {
      const { store, advance } = await make();
      await store.claim('delivery-1', 'run-1', 60);

      await advance(50 * SECOND);
      const meanwhile = await store.claim('delivery-1', 'run-2', 60);
      await advance(12 * SECOND);

      expect(meanwhile).toBe('run-1');
      expect(await store.peek('delivery-1')).toBeUndefined();
      expect(await store.claim('delivery-1', 'run-3', 60)).toBeUndefined();
    });
  });
}
