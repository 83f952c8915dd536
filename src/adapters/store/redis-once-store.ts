import type { Redis } from 'ioredis';
import type { OnceStore } from '../../core/ports.js';
import { keys } from './redis-keys.js';

export class RedisOnceStore implements OnceStore {
  constructor(private readonly redis: Redis) {}

  async claim(key: string, value: string, ttlSeconds: number): Promise<string | undefined> {
    // SET NX GET answers the earlier value in the same round trip, so two racing claims cannot both win.
    const earlier = await this.redis.set(keys.once(key), value, 'EX', ttlSeconds, 'NX', 'GET');
    return earlier ?? undefined;
  }

  async peek(key: string): Promise<string | undefined> {
    return (await this.redis.get(keys.once(key))) ?? undefined;
  }

  async forget(key: string): Promise<void> {
    await this.redis.del(keys.once(key));
  }
}
