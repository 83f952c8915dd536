import type { AdHocFreeze, FreezeStore } from '../../src/core/ports.js';
import { ExpiringMap } from './expiring-map.js';

/** As the Redis store: forgotten once as long as it lasts (at least a second) has passed since it was set. */
export class MemoryFreezeStore implements FreezeStore {
  /** By `service:environment`. */
  private readonly freezes: ExpiringMap<AdHocFreeze>;

  constructor(now: () => number = Date.now) {
    this.freezes = new ExpiringMap(now);
  }

  async set(freeze: AdHocFreeze): Promise<void> {
    const lasts = Math.max(1000, Date.parse(freeze.until) - Date.parse(freeze.from));
    this.freezes.set(`${freeze.service}:${freeze.environment}`, structuredClone(freeze), lasts);
  }

  async get(service: string, environment: string): Promise<AdHocFreeze | undefined> {
    const freeze = this.freezes.get(`${service}:${environment}`);
    return freeze === undefined ? undefined : structuredClone(freeze);
  }

  async remove(service: string, environment: string): Promise<AdHocFreeze | undefined> {
    const freeze = await this.get(service, environment);
    this.freezes.delete(`${service}:${environment}`);
    return freeze;
  }
}
