import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** `discounts-k3m9x2pq`: short enough to type in `/slipway cancel`, never all digits nor holding `:` (BullMQ job ids). */
export function newRunId(service: string): string {
  const suffix = [...randomBytes(8)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
  return `${service}-${suffix}`;
}
