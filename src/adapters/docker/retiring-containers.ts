/**
 * Old releases being removed after their replacement proved healthy. The environment is served by the new
 * release by then, so the deploy does not wait for the removal; but none is lost: the next deploy of the same
 * environment waits for its environment's first, and slipway's shutdown waits for all of them.
 */
export class RetiringContainers {
  private readonly pending = new Map<string, Promise<void>>();

  /** Runs `work` for the environment `key`, after any still running there; a failure goes to `failed`, never further. */
  start(key: string, work: () => Promise<unknown>, failed: (error: unknown) => Promise<void>): void {
    const next = (this.pending.get(key) ?? Promise.resolve())
      .then(work)
      .then(
        () => undefined,
        (error: unknown) => failed(error).catch(() => undefined),
      );
    this.pending.set(key, next);
    void next.then(() => {
      if (this.pending.get(key) === next) this.pending.delete(key);
    });
  }

  /** Resolves once the environment has nothing being retired; never rejects. */
  async settled(key: string): Promise<void> {
    await this.pending.get(key);
  }

  /** Resolves once every environment's retirements are done (slipway's shutdown). */
  async all(): Promise<void> {
    await Promise.all(this.pending.values());
  }
}
