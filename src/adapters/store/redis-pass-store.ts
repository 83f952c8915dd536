import type { Redis } from 'ioredis';
import type { PassStore } from '../../core/ports.js';
import { keys } from './redis-keys.js';

export class RedisPassStore implements PassStore {
  constructor(private readonly redis: Redis) {}

  async record(service: string, digest: string, environment: string): Promise<void> {
    await this.redis.sadd(keys.passes(service, digest), environment);
  }

  async passed(service: string, digest: string): Promise<Set<string>> {
    return new Set(await this.redis.smembers(keys.passes(service, digest)));
  }
}
