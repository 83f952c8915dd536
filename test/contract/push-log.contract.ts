import { describe, expect, it } from 'vitest';
import type { PushLog } from '../../src/core/ports.js';
import { DAY, type MakeSubject } from './subject.js';

export function describePushLogContract(name: string, make: MakeSubject<PushLog>) {
  describe(`${name}: PushLog`, () => {
    it('answers a branch’s recorded pushes newest first, and only that branch’s', async () => {
      const { store } = await make();
      await store.record('discounts', 'main', { runId: 'r1', sha: 's1', before: 's0' });
      await store.record('discounts', 'main', { runId: 'r2', sha: 's2', before: 's1' });
      await store.record('discounts', 'dev/x', { runId: 'x1', sha: 'x1' });

      const recent = await store.recent('discounts', 'main');

      expect(recent).toEqual([
        { runId: 'r2', sha: 's2', before: 's1' },
        { runId: 'r1', sha: 's1', before: 's0' },
      ]);
      expect(await store.recent('cart', 'main')).toEqual([]);
    });

    it('links a late push as the oldest, not the newest', async () => {
      const { store } = await make();
      await store.record('discounts', 'main', { runId: 'r2', sha: 's2', before: 's1' });

      await store.link('discounts', 'main', { sha: 's1', before: 's0' });

      expect(await store.recent('discounts', 'main')).toEqual([
        { runId: 'r2', sha: 's2', before: 's1' },
        { sha: 's1', before: 's0' },
      ]);
    });

    it('keeps the newest 50 pushes of a branch: a late push linked to a full log is not kept', async () => {
      const { store } = await make();
      for (let i = 1; i <= 52; i += 1) await store.record('discounts', 'main', { runId: `r${i}`, sha: `s${i}` });

      await store.link('discounts', 'main', { sha: 's0' });

      const recent = await store.recent('discounts', 'main');
      expect(recent).toHaveLength(50);
      expect([recent[0]?.sha, recent.at(-1)?.sha]).toEqual(['s52', 's3']);
    });

    it('forgets a branch’s pushes 30 days after the last one', async () => {
      const { store, advance } = await make();
      await store.record('discounts', 'main', { runId: 'r1', sha: 's1' });
      await advance(20 * DAY);
      await store.link('discounts', 'main', { sha: 's0' });

      await advance(29 * DAY);
      const before = await store.recent('discounts', 'main');
      await advance(2 * DAY);

      expect(before).toHaveLength(2);
      expect(await store.recent('discounts', 'main')).toEqual([]);
    });
  });
}
