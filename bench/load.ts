import { Agent, request as httpRequest } from 'node:http';
import { since } from './stats.js';

// node:http with kept-alive sockets costs the load generator less CPU than fetch: on two cores, the client's
// cost is taken from what it measures.
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs and answers the status, the body read and dropped. */
export function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((done, fail) => {
    const req = httpRequest(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => done(res.statusCode ?? 0));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

export type Request = { url: string; body: string; headers: Record<string, string> };

/**
 * Sends `rounds` waves of `concurrency` requests at once (each built just before its wave, so signatures are
 * fresh) and answers every request's latency in ms. Any answer but the expected status is an error: a
 * benchmark of failures measures nothing.
 */
export async function waves(
  make: () => Request,
  { concurrency, rounds, expect = 200 }: { concurrency: number; rounds: number; expect?: number },
): Promise<number[]> {
  const latencies: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const batch = Array.from({ length: concurrency }, make);
    const times = await Promise.all(
      batch.map(async (req) => {
        const start = performance.now();
        const status = await post(req.url, req.body, req.headers);
        const took = since(start);
        if (status !== expect) throw new Error(`${req.url} answered ${status}, expected ${expect}`);
        return took;
      }),
    );
    latencies.push(...times);
  }
  return latencies;
}

/** Runs `total` jobs with at most `concurrency` at a time; answers each job's latency in ms. */
export async function pool(total: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const start = performance.now();
        await job(i);
        latencies.push(since(start));
      }
    }),
  );
  return latencies;
}
