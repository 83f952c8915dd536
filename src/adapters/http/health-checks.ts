import type { HealthChecks } from '../../core/ports.js';

/** A deployed environment's health URL, asked over HTTP from where slipway runs. */
export const httpHealthChecks: HealthChecks = { now: (url) => healthNow(url), waitHealthy };

/** One look at a health URL, for /slipway status: a short phrase, never an exception. */
async function healthNow(url: string, timeoutMs = 1_000): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300 ? 'healthy' : `unhealthy: answers ${res.status}`;
  } catch (error) {
    return `unreachable: ${causeOf(error)}`;
  }
}

/**
 * Asks every 50 ms at first, as a deploy script would (most services answer within a second, and each wait is
 * time the deploy is not done), then less often, up to every 250 ms, for one that takes its time.
 */
async function waitHealthy(url: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; cause: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (let pauseMs = 50; Date.now() < deadline; pauseMs = Math.min(250, pauseMs * 1.5)) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return { ok: true };
      last = `answered ${res.status}`;
    } catch (error) {
      last = causeOf(error);
    }
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  return { ok: false, cause: `${url} was not healthy within ${Math.round(timeoutMs / 1000)} s (${last})` };
}

/** fetch fails with "fetch failed" and the reason (ECONNREFUSED, a timeout) as its cause. */
function causeOf(error: unknown): string {
  const { cause, message } = error as Error;
  return cause instanceof Error ? cause.message : message;
}
