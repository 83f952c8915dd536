import type { Redis } from 'ioredis';
import type { Quarantine, QuarantineStore } from '../../core/ports.js';
import { keys } from './redis-keys.js';

export class RedisQuarantineStore implements QuarantineStore {
  constructor(private readonly redis: Redis) {}

  async add(quarantine: Quarantine): Promise<void> {
    await this.redis.hset(keys.quarantine(quarantine.service, quarantine.environment), quarantine.digest, JSON.stringify(quarantine));
  }

  async get(service: string, environment: string, digest: string): Promise<Quarantine | undefined> {
    const text = await this.redis.hget(keys.quarantine(service, environment), digest);
    return text === null ? undefined : (JSON.parse(text) as Quarantine);
  }

  async list(service: string, environment: string): Promise<Quarantine[]> {
    const all = Object.values(await this.redis.hgetall(keys.quarantine(service, environment))).map((t) => JSON.parse(t) as Quarantine);
    return all.sort((a, b) => b.at.localeCompare(a.at));
  }

  async remove(service: string, environment: string, digest: string): Promise<boolean> {
    return (await this.redis.hdel(keys.quarantine(service, environment), digest)) === 1;
  }
}
