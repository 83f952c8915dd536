import { createServer, request, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';

export type LoopbackServer = { url: string; close(): Promise<void> };

/** `listener` on a free port of 127.0.0.1, as slipway serves it. */
export async function serveOnLoopback(listener: RequestListener): Promise<LoopbackServer> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type Answer = { status: number; headers: IncomingHttpHeaders; json: Record<string, unknown> };

/**
 * Sends the headers and only `firstBytes` of a body they announce, then waits: an answer that arrives proves
 * the request was judged before its body was read (reading it would wait for bytes that never come).
 */
export function postWithoutBody(url: string, headers: Record<string, string>, firstBytes = '{"ref":'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
        req.destroy();
      });
    });
    // Once settled, the server dropping the connection (as it does after refusing) changes nothing.
    req.on('error', reject);
    req.write(firstBytes);
  });
}

export async function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, headers: Object.fromEntries(res.headers), json: (await res.json()) as Record<string, unknown> };
}

/** A pino logger whose lines are kept, parsed, for tests that assert what the operator reads. */
export function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}
