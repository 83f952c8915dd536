import { describe, expect, it } from 'vitest';
import type { HostDeploymentRecords } from '../../src/core/ports.js';
import { DAY, type MakeSubject } from './subject.js';

const LIVE = { owner: 'acme', repo: 'discounts', id: 41 };

export function describeHostDeploymentsContract(name: string, make: MakeSubject<HostDeploymentRecords>) {
  describe(`${name}: HostDeploymentRecords`, () => {
    it('knows nothing of a run and environment never claimed', async () => {
      const { store } = await make();

      const got = await store.get('run-1', 'staging');

      expect(got).toBeUndefined();
    });

    it('lets one claim per run and environment win; the claim reads as creating until set', async () => {
      const { store } = await make();

      const first = await store.claim('run-1', 'staging');
      const again = await store.claim('run-1', 'staging');
      const otherEnvironment = await store.claim('run-1', 'production');
      const otherRun = await store.claim('run-2', 'staging');
      const whileCreating = await store.get('run-1', 'staging');

      expect([first, again, otherEnvironment, otherRun]).toEqual([true, false, true, true]);
      expect(whileCreating).toBe('creating');
    });

    it('gives the claim to exactly one of many racing claimers', async () => {
      const { store } = await make();

      const claims = await Promise.all(Array.from({ length: 10 }, () => store.claim('run-1', 'production')));

      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('stores the deployment set after the claim, and a later set replaces it; a claim after it loses', async () => {
      const { store } = await make();
      await store.claim('run-1', 'staging');

      await store.set('run-1', 'staging', { id: 7 });
      await store.set('run-1', 'staging', { id: 7, state: 'success' });

      expect(await store.get('run-1', 'staging')).toEqual({ id: 7, state: 'success' });
      expect(await store.claim('run-1', 'staging')).toBe(false);
    });

    it('lets another claim after the claim is given up, leaving the run\'s other environments', async () => {
      const { store } = await make();
      await store.claim('run-1', 'staging');
      await store.claim('run-1', 'production');
      await store.set('run-1', 'production', { id: 8 });

      await store.forget('run-1', 'staging');
      await store.forget('run-9', 'staging');

      expect(await store.get('run-1', 'staging')).toBeUndefined();
      expect(await store.claim('run-1', 'staging')).toBe(true);
      expect(await store.get('run-1', 'production')).toEqual({ id: 8 });
    });

    it('keeps a run\'s deployments 30 days from its last claim or set', async () => {
      const { store, advance } = await make();
      await store.claim('run-1', 'staging');
      await store.claim('run-2', 'staging');
      await store.set('run-3', 'staging', { id: 8 });

      await advance(20 * DAY);
      await store.claim('run-1', 'production');
      await store.set('run-2', 'staging', { id: 9 });
      await advance(15 * DAY);

      expect(await store.get('run-1', 'staging')).toBe('creating');
      expect(await store.get('run-1', 'production')).toBe('creating');
      expect(await store.get('run-2', 'staging')).toEqual({ id: 9 });
      expect(await store.get('run-3', 'staging')).toBeUndefined();
    });

    it('gives the live deployment to the first taker only, per service and environment', async () => {
      const { store } = await make();
      await store.setLive('discounts', 'staging', LIVE);
      await store.setLive('discounts', 'production', { ...LIVE, id: 42 });

      const first = await store.takeLive('discounts', 'staging');
      const second = await store.takeLive('discounts', 'staging');
      const otherService = await store.takeLive('billing', 'production');

      expect(first).toEqual(LIVE);
      expect(second).toBeUndefined();
      expect(otherService).toBeUndefined();
      expect(await store.takeLive('discounts', 'production')).toEqual({ ...LIVE, id: 42 });
    });

    it('gives the live deployment to exactly one of many racing takers; a newer one replaces it', async () => {
      const { store } = await make();
      await store.setLive('discounts', 'pr-1', LIVE);
      await store.setLive('discounts', 'pr-1', { ...LIVE, id: 43 });

      const taken = await Promise.all(Array.from({ length: 10 }, () => store.takeLive('discounts', 'pr-1')));

      expect(taken.filter((t) => t !== undefined)).toEqual([{ ...LIVE, id: 43 }]);
    });

    it('forgets the live deployment after a year', async () => {
      const { store, advance } = await make();
      await store.setLive('discounts', 'staging', LIVE);
      await store.setLive('discounts', 'qa', LIVE);

      await advance(364 * DAY);
      const before = await store.takeLive('discounts', 'qa');
      await advance(2 * DAY);
      const after = await store.takeLive('discounts', 'staging');

      expect(before).toEqual(LIVE);
      expect(after).toBeUndefined();
    });
  });
}
