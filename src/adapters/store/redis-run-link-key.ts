import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from './redis-keys.js';

/**
 * The key run page links are signed with: made once and kept in Redis, so every process (servers and workers)
 * signs alike with nothing to configure. Deleting `slipway:secret:run-links` revokes every link given out.
 */
export async function runLinkKey(redis: Redis): Promise<string> {
  await redis.set(keys.runLinkKey, randomBytes(32).toString('hex'), 'NX');
  return (await redis.get(keys.runLinkKey)) ?? '';
}
