/** One look at a health URL, for /slipway status: a short phrase, never an exception. */
export async function healthNow(url: string, timeoutMs = 1_000): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300 ? 'healthy' : `unhealthy: answers ${res.status}`;
  } catch (error) {
    const cause = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
    return `unreachable: ${cause}`;
  }
}
