import type { Redis } from 'ioredis';
import type { Lock } from '../../core/approval-policy.js';
import type { LockStore, LockWaiter } from '../../core/ports.js';
import { keys } from './redis-keys.js';

// Unlocking hands the lock to the first in the queue in the same step, so nobody can slip in between.
const RELEASE = `
redis.call('DEL', KEYS[1])
local nextText = redis.call('LPOP', KEYS[2])
if not nextText then
  redis.call('SREM', KEYS[3], ARGV[1])
  return nil
end
local waiter = cjson.decode(nextText)
local lock = cjson.encode({ service = ARGV[2], environment = ARGV[1], by = waiter.by, reason = waiter.reason, at = ARGV[3] })
redis.call('SET', KEYS[1], lock)
return lock
`;

// Looking for the person and joining the queue in one step: two clicks at once queue them once.
const ENQUEUE = `
local waiting = redis.call('LRANGE', KEYS[1], 0, -1)
for i, text in ipairs(waiting) do
  if cjson.decode(text).by == ARGV[1] then return i end
end
return redis.call('RPUSH', KEYS[1], ARGV[2])
`;

export class RedisLockStore implements LockStore {
  constructor(private readonly redis: Redis) {}

  async get(service: string, environment: string): Promise<Lock | undefined> {
    const text = await this.redis.get(keys.lock(service, environment));
    return text === null ? undefined : (JSON.parse(text) as Lock);
  }

  async take(lock: Lock): Promise<{ ok: boolean; lock: Lock; edited?: boolean }> {
    const key = keys.lock(lock.service, lock.environment);
    const earlier = await this.redis.set(key, JSON.stringify(lock), 'NX', 'GET');
    if (earlier !== null) {
      const held = JSON.parse(earlier) as Lock;
      if (held.by !== lock.by) return { ok: false, lock: held };
      // The holder may change the reason; since when they hold it stays.
      const edited = { ...held, reason: lock.reason };
      await this.redis.set(key, JSON.stringify(edited));
      return { ok: true, lock: edited, edited: true };
    }
    await this.redis.sadd(keys.locks(lock.service), lock.environment);
    return { ok: true, lock };
  }

  async release(service: string, environment: string, at: Date): Promise<Lock | undefined> {
    const next = (await this.redis.eval(
      RELEASE,
      3,
      keys.lock(service, environment),
      keys.lockQueue(service, environment),
      keys.locks(service),
      environment,
      service,
      at.toISOString(),
    )) as string | null;
    return next === null ? undefined : (JSON.parse(next) as Lock);
  }

  async list(service: string): Promise<Lock[]> {
    const environments = await this.redis.smembers(keys.locks(service));
    const locks = await Promise.all(environments.map((e) => this.get(service, e)));
    return locks.filter((l): l is Lock => l !== undefined);
  }

  async enqueue(service: string, environment: string, waiter: LockWaiter): Promise<number> {
    return Number(await this.redis.eval(ENQUEUE, 1, keys.lockQueue(service, environment), waiter.by, JSON.stringify(waiter)));
  }

  async queue(service: string, environment: string): Promise<LockWaiter[]> {
    return (await this.redis.lrange(keys.lockQueue(service, environment), 0, -1)).map((t) => JSON.parse(t) as LockWaiter);
  }
}
