import { describe, expect, it } from 'vitest';
import type { ArtifactStore } from '../../src/core/ports.js';
import { DAY, type MakeSubject } from './subject.js';

const MAX_BYTES = 5 * 1024 * 1024;
const screenshot = { runId: 'r1', stage: 'synthetics:staging', name: 'checkout.png' };
const bytesOf = (text: string) => new TextEncoder().encode(text);
const textOf = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes));

export function describeArtifactStoreContract(name: string, make: MakeSubject<ArtifactStore>) {
  describe(`${name}: ArtifactStore`, () => {
    it('reads a saved file back and lists a run’s files in the order saved', async () => {
      const { store } = await make();
      const trace = { runId: 'r1', stage: 'synthetics:staging', name: 'trace.txt' };

      await store.save(screenshot, bytesOf('png bytes'));
      await store.save(trace, bytesOf('trace'));

      expect(textOf(await store.read(screenshot))).toBe('png bytes');
      expect(await store.list('r1')).toEqual([screenshot, trace]);
      expect(await store.list('r2')).toEqual([]);
      expect(await store.read({ ...screenshot, name: 'other.png' })).toBeUndefined();
    });

    it('keeps a file of 5 MiB and drops a larger one without a word', async () => {
      const { store } = await make();
      const big = { ...screenshot, name: 'big.png' };
      const tooBig = { ...screenshot, name: 'too-big.png' };

      await store.save(big, new Uint8Array(MAX_BYTES));
      await store.save(tooBig, new Uint8Array(MAX_BYTES + 1));

      expect((await store.read(big))?.byteLength).toBe(MAX_BYTES);
      expect(await store.read(tooBig)).toBeUndefined();
      expect(await store.list('r1')).toEqual([big]);
    });

    it('answers the latest bytes of a file saved twice, and lists it twice', async () => {
      const { store } = await make();

      await store.save(screenshot, bytesOf('first'));
      await store.save(screenshot, bytesOf('second'));

      expect(textOf(await store.read(screenshot))).toBe('second');
      expect(await store.list('r1')).toEqual([screenshot, screenshot]);
    });

    it('forgets files 30 days after they were saved', async () => {
      const { store, advance } = await make();
      await store.save(screenshot, bytesOf('png bytes'));

      await advance(29 * DAY);
      const before = textOf(await store.read(screenshot));
      await advance(2 * DAY);

      expect(before).toBe('png bytes');
      expect(await store.read(screenshot)).toBeUndefined();
      expect(await store.list('r1')).toEqual([]);
    });

    it('keeps a run’s list 30 days from its last file, so it may name an older file whose bytes are gone', async () => {
      const { store, advance } = await make();
      const later = { ...screenshot, name: 'later.png' };
      await store.save(screenshot, bytesOf('first'));
      await advance(20 * DAY);
      await store.save(later, bytesOf('later'));

      await advance(11 * DAY);

      expect(await store.list('r1')).toEqual([screenshot, later]);
      expect(await store.read(screenshot)).toBeUndefined();
      expect(textOf(await store.read(later))).toBe('later');
    });

    it('keeps what it stored whatever a caller does to the bytes it passed or was given', async () => {
      const { store } = await make();
      const bytes = bytesOf('png bytes');
      await store.save(screenshot, bytes);

      bytes[0] = 0;
      (await store.read(screenshot))![1] = 0;

      expect(textOf(await store.read(screenshot))).toBe('png bytes');
    });
  });
}
