import { describe, expect, it } from 'vitest';
import { batchedLog } from '../../../src/queue/stages/batched-log.js';

/** A store whose writes finish when the test says so, recording each batch. */
function heldStore() {
  const batches: string[][] = [];
  const releases: (() => void)[] = [];
  return {
    batches,
    write: (lines: string[]) =>
      new Promise<void>((resolve) => {
        batches.push(lines);
        releases.push(resolve);
      }),
    releaseAll: () => releases.splice(0).forEach((release) => release()),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('batchedLog', () => {
  it('writes one batch at a time: lines that arrive meanwhile go together in the next, in order', async () => {
    // Arrange
    const store = heldStore();
    const log = batchedLog(store.write);

    // Act
    log.add('step 1');
    await tick();
    for (const line of ['step 2', 'step 3', 'step 4']) log.add(line);
    await tick();
    store.releaseAll();
    await tick();
    log.add('step 5');
    await tick();
    store.releaseAll();
    await tick();
    store.releaseAll();
    const lost = await log.done();

    // Assert
    expect(store.batches).toEqual([['step 1'], ['step 2', 'step 3', 'step 4'], ['step 5']]);
    expect(lost).toBe(0);
  });

  it('stores a long build in a few writes, in order, and counts the lines of a batch that could not be stored', async () => {
    // Arrange
    const stored: string[] = [];
    let calls = 0;
    const log = batchedLog(async (lines) => {
      calls += 1;
      if (calls === 2) throw new Error('redis away');
      stored.push(...lines);
    });
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i}`);

    // Act
    log.add(lines[0]!);
    await tick();
    lines.slice(1, 200).forEach((line) => log.add(line));
    await tick();
    lines.slice(200).forEach((line) => log.add(line));
    const lost = await log.done();

    // Assert
    expect(calls).toBe(3);
    expect(lost).toBe(199);
    expect(stored).toEqual([lines[0], ...lines.slice(200)]);
  });
});
