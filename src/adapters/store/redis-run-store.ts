import type { Redis } from 'ioredis';
import type { RunStore } from '../../core/ports.js';
import { Run } from '../../core/run.js';
import { keys } from './redis-keys.js';
import { commit } from './commit.js';

/** Runs as JSON documents, indexed per service by creation time. */
export class RedisRunStore implements RunStore {
  constructor(private readonly redis: Redis) {}

  async create(run: Run): Promise<void> {
    await commit(
      this.redis
        .multi()
        .set(keys.run(run.id), JSON.stringify(run))
        .zadd(keys.runsOfService(run.service), Date.parse(run.createdAt), run.id)
    );
  }

  async save(run: Run): Promise<void> {
    await this.redis.set(keys.run(run.id), JSON.stringify(run));
  }

  async get(id: string): Promise<Run | undefined> {
    const text = await this.redis.get(keys.run(id));
    return text === null ? undefined : Run.parse(JSON.parse(text));
  }

  async delete(id: string): Promise<void> {
    const run = await this.get(id);
    const tx = this.redis.multi().del(keys.run(id));
    if (run) tx.zrem(keys.runsOfService(run.service), id);
    await commit(tx);
  }

  async listByService(service: string, limit = 20): Promise<Run[]> {
    const ids = await this.redis.zrevrange(keys.runsOfService(service), 0, limit - 1);
    if (ids.length === 0) return [];
    const texts = await this.redis.mget(ids.map(keys.run));
    return texts.filter((t): t is string => t !== null).map((t) => Run.parse(JSON.parse(t)));
  }
}
