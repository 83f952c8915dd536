import { describe, expect, it } from 'vitest';
import type { RunStore } from '../../src/core/ports.js';
import type { Run } from '../../src/core/run.js';
import { minute, sampleRun } from './samples.js';
import type { MakeSubject } from './subject.js';

export function describeRunStoreContract(name: string, make: MakeSubject<RunStore>) {
  describe(`${name}: RunStore`, () => {
    it('reads a created run back by id, and nothing for an unknown id', async () => {
      const { store } = await make();
      const run = sampleRun('discounts-1', 'discounts', minute(0));

      await store.create(run);

      expect(await store.get('discounts-1')).toEqual(run);
      expect(await store.get('discounts-none')).toBeUndefined();
    });

    it('overwrites the stored run on save', async () => {
      const { store } = await make();
      const run = sampleRun('discounts-1', 'discounts', minute(0));
      await store.create(run);

      await store.save({ ...run, status: 'running', stages: [{ name: 'checkout', status: 'running' }] });

      expect(await store.get('discounts-1')).toMatchObject({ status: 'running', stages: [{ name: 'checkout', status: 'running' }] });
    });

    it('gives back the state a save replaced, and nothing for a run saved first', async () => {
      const { store } = await make();
      const run = sampleRun('discounts-1', 'discounts', minute(0));
      await store.create(run);

      const replaced = await store.save({ ...run, status: 'running' });
      const again = await store.save({ ...run, status: 'passed' });
      const unknown = await store.save(sampleRun('discounts-2', 'discounts', minute(1)));

      expect(replaced).toEqual(run);
      expect(again).toMatchObject({ status: 'running' });
      expect(unknown).toBeUndefined();
    });

    it('lists a service’s runs newest first by creation time, and only that service’s', async () => {
      const { store } = await make();
      await store.create(sampleRun('shop-mid', 'shop', minute(2)));
      await store.create(sampleRun('shop-new', 'shop', minute(3)));
      await store.create(sampleRun('shop-old', 'shop', minute(1)));
      await store.create(sampleRun('cart-x', 'cart', minute(4)));

      const ids = (await store.listByService('shop')).map((r) => r.id);

      expect(ids).toEqual(['shop-new', 'shop-mid', 'shop-old']);
      expect(await store.listByService('none')).toEqual([]);
    });

    it('lists 20 runs unless told how many', async () => {
      const { store } = await make();
      for (let m = 0; m < 22; m += 1) await store.create(sampleRun(`shop-${m}`, 'shop', minute(m)));

      const all = await store.listByService('shop');
      const two = await store.listByService('shop', 2);

      expect(all).toHaveLength(20);
      expect(all[0]?.id).toBe('shop-21');
      expect(two.map((r) => r.id)).toEqual(['shop-21', 'shop-20']);
    });

    it('orders runs created at the same moment by id, greatest first', async () => {
      const { store } = await make();
      await store.create(sampleRun('shop-b', 'shop', minute(0)));
      await store.create(sampleRun('shop-c', 'shop', minute(0)));
      await store.create(sampleRun('shop-a', 'shop', minute(0)));

      const ids = (await store.listByService('shop')).map((r) => r.id);

      expect(ids).toEqual(['shop-c', 'shop-b', 'shop-a']);
    });

    it('lists the saved state of a run, and does not list a run that was only saved, never created', async () => {
      const { store } = await make();
      const created = sampleRun('shop-1', 'shop', minute(1));
      await store.create(created);

      await store.save({ ...created, status: 'passed' });
      await store.save(sampleRun('shop-2', 'shop', minute(2)));

      expect((await store.listByService('shop')).map((r) => [r.id, r.status])).toEqual([['shop-1', 'passed']]);
      expect(await store.get('shop-2')).toBeDefined();
    });

    it('forgets a deleted run: not read, not listed; deleting an unknown id does nothing', async () => {
      const { store } = await make();
      await store.create(sampleRun('shop-1', 'shop', minute(1)));
      await store.create(sampleRun('shop-2', 'shop', minute(2)));

      await store.delete('shop-2');
      await store.delete('shop-none');

      expect(await store.get('shop-2')).toBeUndefined();
      expect((await store.listByService('shop')).map((r) => r.id)).toEqual(['shop-1']);
    });

    it('answers only the fields a run has', async () => {
      const { store } = await make();
      const run = { ...sampleRun('shop-1', 'shop', minute(1)), stray: 'not a run field' } as Run;

      await store.create(run);

      expect(await store.get('shop-1')).not.toHaveProperty('stray');
    });

    it('keeps what it stored whatever a caller does to the objects it passed or was given', async () => {
      const { store } = await make();
      const run = sampleRun('shop-1', 'shop', minute(1));
      await store.create(run);

      run.status = 'failed';
      const read = await store.get('shop-1');
      read!.stages[0]!.status = 'failed';
      (await store.listByService('shop'))[0]!.status = 'cancelled';

      expect(await store.get('shop-1')).toMatchObject({ status: 'queued', stages: [{ status: 'pending' }, { status: 'pending' }] });
    });
  });
}
