import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Hex HMAC-SHA256 of the body's bytes, compared in constant time. Over the bytes as received, never over
 * decoded text: invalid UTF-8 decodes to U+FFFD, so a check over text would verify a different message.
 */
export function hexHmacMatches(body: Buffer, signature: string, secret: string): boolean {
  const given = signature.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

/** A shared token compared in constant time; hashing first makes the lengths equal without leaking them. */
export function tokenMatches(given: string, secret: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(secret));
}
