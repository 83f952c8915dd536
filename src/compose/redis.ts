import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../adapters/redis/embedded-redis.js';
import { closeRedis, connectRedis, waitForRedis } from '../adapters/redis/redis-connection.js';
import type { Env } from '../core/env-schema.js';
import type { Logger } from '../core/ports.js';
import type { Closers } from './closers.js';

/**
 * `redis` carries the stores' commands, `queueRedis` BullMQ's queues. BullMQ defines its 60-odd Lua scripts on
 * the connection it is given, and ioredis copies every defined script onto each pipeline it makes there (a
 * `multi`, an auto-pipelined tick): on one shared connection, that copying was the largest allocation site of
 * a worker's runs (BENCHMARKS.md §4).
 */
export type RedisParts = { redis: Redis; queueRedis: Redis; redisUrl: string; onError(error: Error): void };

/** `REDIS_URL`, or (unset) an embedded redis-server with its data under the data dir. */
export async function openRedis(env: Env, dataDir: string, log: Logger, closers: Closers): Promise<RedisParts> {
  let redisUrl = env.REDIS_URL;
  if (!redisUrl) {
    const embedded = await startEmbeddedRedis(join(dataDir, 'redis'));
    closers.add(async () => {
      await embedded.stop();
      log.info('embedded Redis stopped');
    });
    redisUrl = embedded.url;
    // The URL carries the password: the log names the address only.
    log.info({ address: embedded.address, dataDir: embedded.dataDir }, 'REDIS_URL is not set: started an embedded redis-server (password in its data dir)');
  }
  const onError = (error: Error) => log.warn({ err: error }, 'Redis connection problem');
  const redis = connectRedis(redisUrl, { onError });
  const queueRedis = connectRedis(redisUrl, { onError });
  closers.add(() => closeRedis(redis));
  closers.add(() => closeRedis(queueRedis));
  await Promise.all([waitForRedis(redis), waitForRedis(queueRedis)]);
  return { redis, queueRedis, redisUrl, onError };
}
