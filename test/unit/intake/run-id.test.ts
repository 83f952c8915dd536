import { describe, expect, it } from 'vitest';
import { newRunId } from '../../../src/intake/run-id.js';

describe('newRunId', () => {
  it('is the service name and 8 characters one can type without mistaking them (no 0/o, 1/l), never a BullMQ separator', () => {
    const ids = Array.from({ length: 500 }, () => newRunId('shop'));

    for (const id of ids) expect(id).toMatch(/^shop-[abcdefghijkmnpqrstuvwxyz23456789]{8}$/);
    expect(ids.some((id) => id.includes(':'))).toBe(false);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
