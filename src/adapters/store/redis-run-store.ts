import type { Redis, Result } from 'ioredis';
import type { RunStore } from '../../core/ports.js';
import { Run } from '../../core/run.js';
import { keys } from './redis-keys.js';
import { commit } from './commit.js';

/** KEYS: the run, its service's index; ARGV: the run's JSON, its creation time, its id. */
const CREATE = `
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slipwayCreateRun(run: string, index: string, json: string, createdAt: number, id: string): Result<null, Context>;
  }
}

/** Runs as JSON documents, indexed per service by creation time. */
export class RedisRunStore implements RunStore {
  constructor(private readonly redis: Redis) {
    // One script: the record and its index entry together, in one command.
    redis.defineCommand('slipwayCreateRun', { lua: CREATE, numberOfKeys: 2 });
  }

  async create(run: Run): Promise<void> {
    await this.redis.slipwayCreateRun(keys.run(run.id), keys.runsOfService(run.service), JSON.stringify(run), Date.parse(run.createdAt), run.id);
  }

  async save(run: Run): Promise<Run | undefined> {
    // SET … GET: the state replaced comes back with the write, not in a round trip before it.
    const before = await this.redis.set(keys.run(run.id), JSON.stringify(run), 'GET');
    return before === null ? undefined : Run.parse(JSON.parse(before));
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
