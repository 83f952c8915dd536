import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpChecks } from '../../src/adapters/synthetics/http-checks.js';
import { HttpCheck } from '../../src/core/config-schema.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 300);
    if (req.url === '/info.json') return void res.end(JSON.stringify({ build: { version: 2, tags: ['a'] } }));
    if (req.url === '/broken') {
      res.writeHead(500);
      return void res.end('oops');
    }
    if (req.method === 'POST' && req.url === '/orders') {
      res.writeHead(201);
      return void res.end('created');
    }
    res.end('<h1>Discounts</h1>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const run = async (check: Record<string, unknown>, localUrl = base) => {
  const [result] = await httpChecks.run([HttpCheck.parse({ type: 'http', name: 'c', ...check })], { localUrl, publicUrl: localUrl, timeoutMs: 2_000 });
  return result!;
};

describe('built-in HTTP checks', () => {
  it.each([
    [{ path: '/' }, true, /^200 in \d+ ms$/],
    [{ path: '/orders', method: 'POST', expectStatus: 201, bodyContains: 'created' }, true, /^201 in/],
    [{ path: '/broken' }, false, /^GET \/broken answered 500, expected 200$/],
    [{ path: '/', bodyContains: 'Coupons' }, false, /^\/: the body does not contain "Coupons"$/],
    [{ path: '/info.json', jsonField: { path: 'build.version', equals: 2 } }, true, /^200/],
    [{ path: '/info.json', jsonField: { path: 'build.tags', equals: ['a'] } }, true, /^200/],
    [{ path: '/info.json', jsonField: { path: 'build.version', equals: 1 } }, false, /^\/info.json: build.version is 2, expected 1$/],
    [{ path: '/', jsonField: { path: 'a', equals: 1 } }, false, /^\/: the body is not JSON$/],
    [{ path: '/slow', maxLatencyMs: 100 }, false, /^\/slow took \d+ ms, over the 100 ms budget$/],
  ])('%j → passed %s', async (check, passed, detail) => {
    const result = await run(check);
    expect(result.passed).toBe(passed);
    expect(result.detail).toMatch(detail);
  });

  it('fails, saying why, when nothing answers', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const result = await run({ path: '/' }, `http://127.0.0.1:${port}`);
    expect(result).toMatchObject({ passed: false, detail: expect.stringMatching(/^GET \/ got no answer: connect ECONNREFUSED/) });
  });
});
