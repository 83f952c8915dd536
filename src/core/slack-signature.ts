import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's own replay window: a request signed longer ago than this is refused. */
export const SLACK_WINDOW_SECONDS = 5 * 60;

/**
 * Why a request's Slack headers alone condemn it (no signature, not shaped like Slack's `v0=` + 64 hex, or a
 * timestamp outside the window), or undefined when the body is worth reading.
 */
export function slackHeaderProblem(signature: string | undefined, timestamp: string | undefined, nowMs: number): string | undefined {
  if (!signature) return 'missing x-slack-signature header';
  if (!/^v0=[0-9a-f]{64}$/.test(signature)) return 'x-slack-signature is malformed: Slack sends "v0=" and 64 hex digits';
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return 'missing or malformed x-slack-request-timestamp header';
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SLACK_WINDOW_SECONDS) {
    return `x-slack-request-timestamp is more than ${SLACK_WINDOW_SECONDS / 60} minutes from slipway's clock (a replay, or a clock that is off)`;
  }
  return undefined;
}

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:` and the body's bytes as received, compared in constant time. */
export function slackSignatureMatches(body: Buffer, timestamp: string, signature: string, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest();
  const given = Buffer.from(signature.slice('v0='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(expected, given);
}
