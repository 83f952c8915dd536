import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { closeRedis, connectRedis, waitForRedis } from '../../src/adapters/redis/redis-connection.js';
import type { MakeSubject } from './subject.js';

// Time passing, as Redis sees it: every key's remaining time to live shrinks by ARGV[1] ms, and a key whose
// time runs out is gone, as Redis expires it. Only for the private server these tests start.
const PASS_TIME = `
for _, key in ipairs(redis.call('KEYS', '*')) do
  local left = redis.call('PTTL', key)
  if left > 0 then
    left = left - tonumber(ARGV[1])
    if left > 0 then redis.call('PEXPIRE', key, left) else redis.call('DEL', key) end
  end
end
`;

/**
 * Starts a private redis-server for the file's tests (stopped after them) and answers a `make` per store:
 * each subject starts from an empty database.
 */
export function redisSubjects(): <T>(build: (redis: Redis) => T) => MakeSubject<T> {
  let dir: string;
  let server: EmbeddedRedis;
  let redis: Redis;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-contract-'));
    server = await startEmbeddedRedis(dir);
    redis = connectRedis(server.url);
    await waitForRedis(redis);
  });
  afterAll(async () => {
    await closeRedis(redis);
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return (build) => async () => {
    // What the last subject wrote is looked at before it goes: every key slipway writes starts with `slipway:`.
    const stray = (await redis.keys('*')).filter((key) => !key.startsWith('slipway:'));
    if (stray.length > 0) throw new Error(`keys outside slipway: were written: ${stray.join(', ')}`);
    await redis.flushdb();
    return {
      store: build(redis),
      advance: async (ms) => {
        await redis.eval(PASS_TIME, 0, ms);
      },
    };
  };
}
