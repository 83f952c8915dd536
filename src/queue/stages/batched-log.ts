/**
 * Lines stored as they come, but in batches: one write at a time, and every line that arrives while it is on
 * its way goes in the next one. A build's hundreds of lines become a few writes, in order, none held back
 * longer than one write takes, so the run page still follows the build as it goes.
 */
export function batchedLog(write: (lines: string[]) => Promise<void>) {
  let waiting: string[] = [];
  let writes = Promise.resolve();
  let lost = 0;
  const flush = async () => {
    const lines = waiting;
    waiting = [];
    // A batch that cannot be stored (Redis away for a moment) is counted, not allowed to fail the caller.
    await write(lines).catch(() => void (lost += lines.length));
  };
  return {
    add(line: string): void {
      waiting.push(line);
      if (waiting.length === 1) writes = writes.then(flush);
    },
    /** Waits for every line added so far to be written; answers how many could not be. */
    async done(): Promise<number> {
      await writes;
      return lost;
    },
  };
}
