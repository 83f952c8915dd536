import { describe, expect, it } from 'vitest';
import type { ReleaseStore } from '../../src/core/ports.js';
import { minute, sampleRelease } from './samples.js';
import type { MakeSubject } from './subject.js';

export function describeReleaseStoreContract(name: string, make: MakeSubject<ReleaseStore>) {
  describe(`${name}: ReleaseStore`, () => {
    it('reads a release back by service and sha, and nothing for another service or sha', async () => {
      const { store } = await make();
      const release = sampleRelease({ sha: 'a1', coverage: 83.5, tests: { total: 3, passed: 3, failed: 0, skipped: 0 } });

      await store.save(release);

      expect(await store.get('discounts', 'a1')).toEqual(release);
      expect(await store.get('cart', 'a1')).toBeUndefined();
      expect(await store.get('discounts', 'b2')).toBeUndefined();
    });

    it('replaces a release saved again for the same sha', async () => {
      const { store } = await make();
      await store.save(sampleRelease({ sha: 'a1', digest: 'sha256:old' }));

      await store.save(sampleRelease({ sha: 'a1', digest: 'sha256:new' }));

      expect((await store.get('discounts', 'a1'))?.digest).toBe('sha256:new');
    });

    it('answers the newest release of a branch by creation time, whatever order they were saved in', async () => {
      const { store } = await make();
      await store.save(sampleRelease({ sha: 'b2', createdAt: minute(2) }));
      await store.save(sampleRelease({ sha: 'a1', createdAt: minute(1) }));
      await store.save(sampleRelease({ sha: 'f9', branch: 'dev/feature', createdAt: minute(9) }));
      await store.save(sampleRelease({ sha: 'c3', service: 'cart', createdAt: minute(9) }));

      const latest = await store.latestOnBranch('discounts', 'main');

      expect(latest?.sha).toBe('b2');
      expect((await store.latestOnBranch('discounts', 'dev/feature'))?.sha).toBe('f9');
      expect(await store.latestOnBranch('discounts', 'dev/none')).toBeUndefined();
    });

    it('moves a release saved again with a later time to the front of its branch', async () => {
      const { store } = await make();
      await store.save(sampleRelease({ sha: 'a1', createdAt: minute(1) }));
      await store.save(sampleRelease({ sha: 'b2', createdAt: minute(2) }));

      await store.save(sampleRelease({ sha: 'a1', createdAt: minute(3) }));

      expect((await store.latestOnBranch('discounts', 'main'))?.sha).toBe('a1');
    });

    it('keeps what it stored whatever a caller does to the objects it passed or was given', async () => {
      const { store } = await make();
      const release = sampleRelease({ sha: 'a1', tests: { total: 3, passed: 3, failed: 0, skipped: 0 } });
      await store.save(release);

      release.tests!.failed = 3;
      (await store.get('discounts', 'a1'))!.tests!.passed = 0;

      expect((await store.latestOnBranch('discounts', 'main'))?.tests).toEqual({ total: 3, passed: 3, failed: 0, skipped: 0 });
    });
  });
}
