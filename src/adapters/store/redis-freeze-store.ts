import type { Redis } from 'ioredis';
import type { AdHocFreeze, FreezeStore } from '../../core/ports.js';
import { keys } from './redis-keys.js';

/**
 * One ad-hoc freeze per environment, dropped by Redis once it has ended. Whether it is in force is read
 * against slipway's clock (`from`/`until`); the expiry only cleans up, so it counts from the moment it is set.
 */
export class RedisFreezeStore implements FreezeStore {
  constructor(private readonly redis: Redis) {}

  async set(freeze: AdHocFreeze): Promise<void> {
    await this.redis.set(keys.freeze(freeze.service, freeze.environment), JSON.stringify(freeze), 'PX', Math.max(1000, Date.parse(freeze.until) - Date.parse(freeze.from)));
  }

  async get(service: string, environment: string): Promise<AdHocFreeze | undefined> {
    const text = await this.redis.get(keys.freeze(service, environment));
    return text === null ? undefined : (JSON.parse(text) as AdHocFreeze);
  }

  async remove(service: string, environment: string): Promise<AdHocFreeze | undefined> {
    const text = await this.redis.getdel(keys.freeze(service, environment));
    return text === null ? undefined : (JSON.parse(text) as AdHocFreeze);
  }
}
