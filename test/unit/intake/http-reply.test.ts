import { afterEach, describe, expect, it } from 'vitest';
import { replyJson } from '../../../src/intake/http-reply.js';
import { serveOnLoopback } from './loopback-server.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('replyJson', () => {
  it('answers once: a second reply to the same request (a late error path) is dropped', async () => {
    const server = await serveOnLoopback((_req, res) => {
      replyJson(res, 202, { status: 'queued', note: 'Grüße — ✓' });
      replyJson(res, 500, { error: 'too late' });
    });
    closers.push(server.close);

    const res = await fetch(server.url, { method: 'POST' });
    const text = await res.text();

    expect(res.status).toBe(202);
    expect(JSON.parse(text)).toEqual({ status: 'queued', note: 'Grüße — ✓' });
    // The length is in bytes, not characters: a shorter one would cut the JSON.
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });
});
