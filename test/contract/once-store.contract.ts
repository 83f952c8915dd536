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

    it('claims a group: the first key, then each of the rest, answering what each of the rest held', async () => {
      const { store } = await make();
      await store.claim('push-b', 'run-0', 60);

      const answer = await store.claimGroup({ key: 'delivery-1', value: 'answer-1' }, [{ key: 'push-a', value: 'run-1' }, { key: 'push-b', value: 'run-2' }], 60);

      expect(answer).toEqual({ rest: [undefined, 'run-0'] });
      expect(await store.peek('delivery-1')).toBe('answer-1');
      expect(await store.peek('push-a')).toBe('run-1');
      expect(await store.peek('push-b')).toBe('run-0');
    });

    it('claims nothing of a group whose first key is held, and answers what that key holds', async () => {
      const { store } = await make();
      await store.claim('delivery-1', 'answer-1', 60);

      const answer = await store.claimGroup({ key: 'delivery-1', value: 'answer-2' }, [{ key: 'push-a', value: 'run-2' }], 60);

      expect(answer).toEqual({ held: 'answer-1' });
      expect(await store.peek('push-a')).toBeUndefined();
    });

    it('lets exactly one of many racing groups with the same first key claim the rest', async () => {
      const { store } = await make();

      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.claimGroup({ key: 'delivery-1', value: `answer-${i}` }, [{ key: 'push-a', value: `run-${i}` }], 60)),
      );

      const winners = answers.filter((a) => 'rest' in a);
      expect(winners).toEqual([{ rest: [undefined] }]);
      const stored = await store.peek('delivery-1');
      expect(answers.filter((a) => 'held' in a).every((a) => 'held' in a && a.held === stored)).toBe(true);
      expect(await store.peek('push-a')).toBe(`run-${stored!.slice('answer-'.length)}`);
    });

    it('forgets the claims of a group once their time is up', async () => {
      const { store, advance } = await make();
      await store.claimGroup({ key: 'delivery-1', value: 'answer-1' }, [{ key: 'push-a', value: 'run-1' }], 60);

      await advance(62 * SECOND);

      expect(await store.peek('delivery-1')).toBeUndefined();
      expect(await store.peek('push-a')).toBeUndefined();
    });
  });
}
