import type { Redis } from 'ioredis';
import type { Lock } from '../../core/approval-policy.js';
import type { LockStore } from '../../core/ports.js';
import { keys } from './redis-keys.js';

export class RedisLockStore implements LockStore {
  constructor(private readonly redis: Redis) {}

  async get(service: string, environment: string): Promise<Lock | undefined> {
    const text = await this.redis.get(keys.lock(service, environment));
    return text === null ? undefined : (JSON.parse(text) as Lock);
  }

  async take(lock: Lock): Promise<{ ok: boolean; lock: Lock }> {
    const key = keys.lock(lock.service, lock.environment);
    const earlier = await this.redis.set(key, JSON.stringify(lock), 'NX', 'GET');
    if (earlier !== null) {
      const held = JSON.parse(earlier) as Lock;
      if (held.by !== lock.by) return { ok: false, lock: held };
      // The holder may change the reason.
      await this.redis.set(key, JSON.stringify(lock));
    }
    await this.redis.sadd(keys.locks(lock.service), lock.environment);
    return { ok: true, lock };
  }

  async release(service: string, environment: string): Promise<void> {
    await this.redis.multi().del(keys.lock(service, environment)).srem(keys.locks(service), environment).exec();
  }

  async list(service: string): Promise<Lock[]> {
    const environments = await this.redis.smembers(keys.locks(service));
    const locks = await Promise.all(environments.map((e) => this.get(service, e)));
    return locks.filter((l): l is Lock => l !== undefined);
  }
}
