/**
 * A Map whose entries lapse the way Redis keys with a TTL do, read against an injected clock rather than
 * timers, so a test moves time on by calling its clock. An entry lapses once its time has fully run.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt?: number }>();

  constructor(private readonly now: () => number) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry?.expiresAt !== undefined && this.now() >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry?.value;
  }

  /** Without `ttlMs` the entry is kept until deleted, as a Redis SET without EX/PX (which also drops an earlier TTL). */
  set(key: string, value: V, ttlMs?: number): void {
    this.entries.set(key, { value, expiresAt: ttlMs === undefined ? undefined : this.now() + ttlMs });
  }

  /** As EXPIRE: gives an entry that is there a new time to live; true when there was one. */
  expire(key: string, ttlMs: number): boolean {
    const value = this.get(key);
    if (value === undefined) return false;
    this.set(key, value, ttlMs);
    return true;
  }

  delete(key: string): boolean {
    const had = this.get(key) !== undefined;
    this.entries.delete(key);
    return had;
  }
}
