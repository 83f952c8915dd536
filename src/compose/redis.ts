import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../adapters/redis/embedded-redis.js';
import { closeRedis, connectRedis, waitForRedis } from '../adapters/redis/redis-connection.js';
import type { Env } from '../core/env-schema.js';
import type { Logger } from '../core/ports.js';
import type { Closers } from './closers.js';

export type RedisParts = { redis: Redis; redisUrl: string; onError(error: Error): void };

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
  closers.add(() => closeRedis(redis));
  await waitForRedis(redis);
  return { redis, redisUrl, onError };
}
