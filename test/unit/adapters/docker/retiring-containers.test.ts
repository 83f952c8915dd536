import { describe, expect, it } from 'vitest';
import { RetiringContainers } from '../../../../src/adapters/docker/retiring-containers.js';

/** A promise the test settles when it chooses. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Whether `promise` has settled once everything already queued has run. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('RetiringContainers', () => {
  it('makes the next deploy of the environment wait for a removal still running', async () => {
    const retiring = new RetiringContainers();
    const removal = deferred();
    retiring.start('staging', () => removal.promise, async () => undefined);

    const waited = retiring.settled('staging');

    expect(await isSettled(waited)).toBe(false);
    expect(await isSettled(retiring.settled('production'))).toBe(true);
    removal.resolve();
    expect(await isSettled(waited)).toBe(true);
  });

  it('hands a failed removal to its callback and fails nobody who waits', async () => {
    const retiring = new RetiringContainers();
    const failures: string[] = [];

    retiring.start('staging', () => Promise.reject(new Error('no such container')), async (error) => void failures.push((error as Error).message));
    await retiring.settled('staging');

    expect(failures).toEqual(['no such container']);
  });

  it('runs an environment’s removals one after the other, and shutdown waits for all of them', async () => {
    const retiring = new RetiringContainers();
    const [first, second] = [deferred(), deferred()];
    const started: string[] = [];
    retiring.start('staging', () => (started.push('first'), first.promise), async () => undefined);
    retiring.start('staging', () => (started.push('second'), second.promise), async () => undefined);

    const shutdown = retiring.all();
    await isSettled(shutdown);
    expect(started).toEqual(['first']);
    first.resolve();
    await isSettled(shutdown);

    expect(started).toEqual(['first', 'second']);
    expect(await isSettled(shutdown)).toBe(false);
    second.resolve();
    expect(await isSettled(shutdown)).toBe(true);
  });
});
