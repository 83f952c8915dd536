import type { Redis, Result } from 'ioredis';
import type { PushLog, PushRecord } from '../../core/ports.js';
import { keys } from './redis-keys.js';

/** Late deliveries come seconds or minutes late, not dozens of pushes late. */
const KEPT = 50;

const KEPT_SECONDS = 30 * 24 * 3600;

/** KEYS: the branch's pushes; ARGV: LPUSH (the newest) or RPUSH (a late one, at the end), the push, kept, seconds. */
const ADD = `
redis.call(ARGV[1], KEYS[1], ARGV[2])
redis.call('LTRIM', KEYS[1], 0, ARGV[3] - 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slipwayAddPush(key: string, push: 'LPUSH' | 'RPUSH', json: string, kept: number, seconds: number): Result<null, Context>;
  }
}

export class RedisPushLog implements PushLog {
  constructor(private readonly redis: Redis) {
    // One script: the push, the trim and the expiry in one command.
    redis.defineCommand('slipwayAddPush', { lua: ADD, numberOfKeys: 1 });
  }

  async record(service: string, branch: string, push: PushRecord): Promise<void> {
    await this.redis.slipwayAddPush(keys.pushes(service, branch), 'LPUSH', JSON.stringify(push), KEPT, KEPT_SECONDS);
  }

  async link(service: string, branch: string, push: Omit<PushRecord, 'runId'>): Promise<void> {
    await this.redis.slipwayAddPush(keys.pushes(service, branch), 'RPUSH', JSON.stringify(push), KEPT, KEPT_SECONDS);
  }

  async recent(service: string, branch: string): Promise<PushRecord[]> {
    return (await this.redis.lrange(keys.pushes(service, branch), 0, KEPT - 1)).map((text) => JSON.parse(text) as PushRecord);
  }
}
