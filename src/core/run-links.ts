import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signs run page links, so only people given a link (in Slack) can read a run's logs. */
export type RunLinks = { url(runId: string): string; verify(runId: string, signature: string | null): boolean };

/** Links under `publicUrl`, signed with `key` (kept in the store, so every process signs alike). */
export function runLinks(key: string, publicUrl: string): RunLinks {
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
