import type { Claim, OnceStore } from '../../src/core/ports.js';
import { ExpiringMap } from './expiring-map.js';

export class MemoryOnceStore implements OnceStore {
  private readonly values: ExpiringMap<string>;

  constructor(now: () => number = Date.now) {
    this.values = new ExpiringMap(now);
  }

  // No await between the look and the write: racing claims cannot both win, as with SET NX GET.
  async claim(key: string, value: string, ttlSeconds: number): Promise<string | undefined> {
    return this.claimNow(key, value, ttlSeconds);
  }

  async claimGroup(first: Claim, rest: readonly Claim[], ttlSeconds: number): Promise<{ held: string } | { rest: (string | undefined)[] }> {
    const held = this.values.get(first.key);
    if (held !== undefined) return { held };
    this.values.set(first.key, first.value, ttlSeconds * 1000);
    return { rest: rest.map((claim) => this.claimNow(claim.key, claim.value, ttlSeconds)) };
  }

  private claimNow(key: string, value: string, ttlSeconds: number): string | undefined {
    const earlier = this.values.get(key);
    if (earlier !== undefined) return earlier;
    this.values.set(key, value, ttlSeconds * 1000);
    return undefined;
  }

  async forget(key: string): Promise<void> {
    this.values.delete(key);
  }

  async peek(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
}
