import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signs run page links, so only people given a link (in Slack) can read a run's logs. */
export type RunLinks = {
  url(runId: string): string;
  verify(runId: string, signature: string | null): boolean;
  /** A service's page (its delivery charts), signed the same way under another name: a run's signature does not open it. */
  serviceUrl(service: string): string;
  verifyService(service: string, signature: string | null): boolean;
};

/** Links under `publicUrl`, signed with `key` (kept in the store, so every process signs alike). */
export function runLinks(key: string, publicUrl: string): RunLinks {
  const sign = (runId: string) => createHmac('sha256', key).update(runId).digest('hex').slice(0, 32);
  // Run ids never hold a NUL: `service\0name` is signed for no run.
  const signService = (service: string) => sign(`service\0${service}`);
  const matches = (expected: string, signature: string | null) =>
    !!signature && /^[0-9a-f]{32}$/.test(signature) && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
  const base = publicUrl.replace(/\/$/, '');
  return {
    url: (runId) => `${base}/runs/${encodeURIComponent(runId)}?sig=${sign(runId)}`,
    verify: (runId, signature) => matches(sign(runId), signature),
    serviceUrl: (service) => `${base}/services/${encodeURIComponent(service)}?sig=${signService(service)}`,
    verifyService: (service, signature) => matches(signService(service), signature),
  };
}
