import type { Lease } from '../../src/core/ports.js';
import { ExpiringMap } from './expiring-map.js';

export class MemoryLease implements Lease {
  /** Key → owner, lapsing after the lease's time. */
  private readonly owners: ExpiringMap<string>;

  constructor(now: () => number = Date.now) {
    this.owners = new ExpiringMap(now);
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    if (this.owners.get(key) === undefined) {
      this.owners.set(key, owner, ttlMs);
      return true;
    }
    // As RedisLease: the owner taking it again renews it.
    return this.renew(key, owner, ttlMs);
  }

  async renew(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.owners.get(key) === owner && this.owners.expire(key, ttlMs);
  }

  async release(key: string, owner: string): Promise<void> {
    if (this.owners.get(key) === owner) this.owners.delete(key);
  }
}
