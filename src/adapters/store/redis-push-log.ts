import type { Redis } from 'ioredis';
import type { PushLog, PushRecord } from '../../core/ports.js';
import { keys } from './redis-keys.js';
import { commit } from './commit.js';

/** Late deliveries come seconds or minutes late, not dozens of pushes late. */
const KEPT = 50;

export class RedisPushLog implements PushLog {
  constructor(private readonly redis: Redis) {}

  async record(service: string, branch: string, push: PushRecord): Promise<void> {
    const key = keys.pushes(service, branch);
    await commit(this.redis.multi().lpush(key, JSON.stringify(push)).ltrim(key, 0, KEPT - 1).expire(key, 30 * 24 * 3600));
  }

  async link(service: string, branch: string, push: Omit<PushRecord, 'runId'>): Promise<void> {
    const key = keys.pushes(service, branch);
    await commit(this.redis.multi().rpush(key, JSON.stringify(push)).ltrim(key, 0, KEPT - 1).expire(key, 30 * 24 * 3600));
  }

  async recent(service: string, branch: string): Promise<PushRecord[]> {
    return (await this.redis.lrange(keys.pushes(service, branch), 0, KEPT - 1)).map((text) => JSON.parse(text) as PushRecord);
  }
}
