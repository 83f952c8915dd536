import type { Redis } from 'ioredis';
import type { Lease } from '../../core/ports.js';
import { keys } from './redis-keys.js';

const IF_OWNER_EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const IF_OWNER_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisLease implements Lease {
  constructor(private readonly redis: Redis) {}

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    if ((await this.redis.set(keys.lease(key), owner, 'PX', ttlMs, 'NX')) === 'OK') return true;
    // Taking it again is fine: a retried job of the same run resumes its own deploy.
    return this.renew(key, owner, ttlMs);
  }

  async renew(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.eval(IF_OWNER_EXTEND, 1, keys.lease(key), owner, ttlMs)) === 1;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.redis.eval(IF_OWNER_DELETE, 1, keys.lease(key), owner);
  }
}
