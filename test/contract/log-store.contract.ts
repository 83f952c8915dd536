import { describe, expect, it } from 'vitest';
import type { LogStore } from '../../src/core/ports.js';
import { DAY, type MakeSubject } from './subject.js';

export function describeLogStoreContract(name: string, make: MakeSubject<LogStore>) {
  describe(`${name}: LogStore`, () => {
    it('reads a stage’s lines back in the order appended, per run and stage', async () => {
      const { store } = await make();

      await store.append('r1', 'test', ['one', 'two']);
      await store.append('r1', 'test', []);
      await store.append('r1', 'test', ['three']);
      await store.append('r1', 'build', ['built']);

      expect(await store.read('r1', 'test')).toEqual(['one', 'two', 'three']);
      expect(await store.read('r1', 'build')).toEqual(['built']);
      expect(await store.read('r2', 'test')).toEqual([]);
    });

    it('cuts a line longer than 2,000 characters, visibly', async () => {
      const { store } = await make();

      await store.append('r1', 'test', ['x'.repeat(2_000), 'y'.repeat(2_001)]);

      expect(await store.read('r1', 'test')).toEqual(['x'.repeat(2_000), `${'y'.repeat(2_000)}…`]);
    });

    it('keeps the last 5,000 lines of a stage', async () => {
      const { store } = await make();

      await store.append('r1', 'test', Array.from({ length: 4_000 }, (_, i) => `line ${i}`));
      await store.append('r1', 'test', Array.from({ length: 1_002 }, (_, i) => `line ${4_000 + i}`));

      const lines = await store.read('r1', 'test');
      expect(lines).toHaveLength(5_000);
      expect([lines[0], lines.at(-1)]).toEqual(['line 2', 'line 5001']);
    });

    it('forgets a stage’s log 30 days after its last line', async () => {
      const { store, advance } = await make();
      await store.append('r1', 'test', ['one']);
      await advance(20 * DAY);
      await store.append('r1', 'test', ['two']);

      await advance(29 * DAY);
      const before = await store.read('r1', 'test');
      await advance(2 * DAY);

      expect(before).toEqual(['one', 'two']);
      expect(await store.read('r1', 'test')).toEqual([]);
    });

    it('keeps what it stored whatever a caller does to the lines it was given', async () => {
      const { store } = await make();
      await store.append('r1', 'test', ['one']);

      (await store.read('r1', 'test')).push('two');

      expect(await store.read('r1', 'test')).toEqual(['one']);
    });
  });
}
