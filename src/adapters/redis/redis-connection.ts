import { Redis } from 'ioredis';
import { SlipwayError } from '../../core/errors.js';

/**
 * A connection for request paths: commands fail at once when Redis is down (no offline queue), so a webhook
 * gets a 503 instead of hanging. Workers need `maxRetriesPerRequest: null` instead (BullMQ requires it).
 */
export function connectRedis(url: string, { forWorker = false, onError = (_error: Error) => {} } = {}): Redis {
  const redis = new Redis(url, forWorker
    ? { maxRetriesPerRequest: null }
    // Auto-pipelining writes the commands of concurrent requests (webhooks, Slack repeats) to the socket in one
    // write per tick instead of one each: under load, those writes were the request path's largest CPU cost.
    : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000, enableAutoPipelining: true });
  // ioredis reconnects by itself; an error while it does is worth a log line, not a crash.
  let lastMessage = '';
  redis.on('error', (error: Error) => {
    if (error.message !== lastMessage) onError(error);
    lastMessage = error.message;
  });
  redis.on('ready', () => {
    lastMessage = '';
  });
  return redis;
}

/**
 * BullMQ queues and workers re-emit their connections' errors (Redis going away), and a worker's duplicated
 * blocking connection reports only there: without a listener those would be unhandled 'error' events. The
 * connections slipway makes report through `connectRedis` already; `onError` is for what only BullMQ sees.
 * Told once per distinct message, as there.
 */
export function reportConnectionErrors(emitter: { on(event: 'error', listener: (error: Error) => void): unknown }, onError: (error: Error) => void = () => {}): void {
  let last = '';
  emitter.on('error', (error) => {
    if (error.message !== last) onError(error);
    last = error.message;
  });
}

/** QUIT needs a live connection; a dead one is just dropped. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit();
  else redis.disconnect();
}

export function redisProbe(redis: Redis) {
  return {
    name: 'redis',
    async check() {
      const answer = await redis.ping();
      if (answer !== 'PONG') throw new Error(`Redis answered ${answer} to PING`);
    },
  };
}

/** Resolves once the connection is ready; a Redis that does not answer stops start-up with its address. */
export function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError = '';
    const onError = (error: Error) => {
      lastError = error.message;
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady).off('error', onError);
      const { host, port } = redis.options;
      reject(new SlipwayError('redis_unreachable', `cannot reach Redis at ${host}:${port} (${lastError || 'no answer'}); check REDIS_URL, or unset it to use the embedded Redis`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      redis.off('error', onError);
      resolve();
    };
    redis.once('ready', onReady).on('error', onError);
  });
}
