import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Signs run page links, so only people given a link (in Slack) can read a run's logs. */
export type RunLinks = { url(runId: string): string; verify(runId: string, signature: string | null): boolean };

/**
 * The key is made once and kept in Redis, so every process (servers and workers) signs alike with nothing to
 * configure. Deleting `slipway:secret:run-links` revokes every link given out.
 */
export async function runLinks(redis: Redis, publicUrl: string): Promise<RunLinks> {
  await redis.set('slipway:secret:run-links', randomBytes(32).toString('hex'), 'NX');
  const key = (await redis.get('slipway:secret:run-links')) ?? '';
  const sign = (runId: string) => createHmac('sha256', key).update(runId).digest('hex').slice(0, 32);
  const base = publicUrl.replace(/\/$/, '');
  return {
    url: (runId) => `${base}/runs/${encodeURIComponent(runId)}?sig=${sign(runId)}`,
    verify(runId, signature) {
      if (!signature || !/^[0-9a-f]{32}$/.test(signature)) return false;
      return timingSafeEqual(Buffer.from(sign(runId)), Buffer.from(signature));
    },
  };
}
