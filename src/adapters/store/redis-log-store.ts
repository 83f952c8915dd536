import type { Redis } from 'ioredis';
import type { LogStore } from '../../core/ports.js';
import { keys } from './redis-keys.js';
import { commit } from './commit.js';

/** The last 5,000 lines of each stage, each cut at 2,000 characters: enough for any failure, bounded for Redis. */
export const MAX_LOG_LINES = 5_000;
const MAX_LINE = 2_000;
const KEEP_DAYS = 30;

export class RedisLogStore implements LogStore {
  constructor(private readonly redis: Redis) {}

  async append(runId: string, stage: string, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const key = keys.log(runId, stage);
    await commit(
      this.redis
        .multi()
        .rpush(key, ...lines.map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l)))
        .ltrim(key, -MAX_LOG_LINES, -1)
        .expire(key, KEEP_DAYS * 24 * 3600)
    );
  }

  async read(runId: string, stage: string): Promise<string[]> {
    return this.redis.lrange(keys.log(runId, stage), 0, -1);
  }
}
