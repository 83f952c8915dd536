import type { OnceStore } from '../../src/core/ports.js';
import { ExpiringMap } from './expiring-map.js';

export class MemoryOnceStore implements OnceStore {
  private readonly values: ExpiringMap<string>;

  constructor(now: () => number = Date.now) {
    this.values = new ExpiringMap(now);
  }

  // No await between the look and the write: racing claims cannot both win, as with SET NX GET.
  async claim(key: string, value: string, ttlSeconds: number): Promise<string | undefined> {
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
