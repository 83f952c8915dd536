/**
 * The HTTP floor of the webhook-intake benchmark: a bare `node:http` server that reads the body, verifies the
 * signature (@octokit/webhooks `verify`) and calls BullMQ's `queue.add` with the delivery id as job id, on the
 * Redis slipway uses. Nothing else: no schema, no deduplication, no run record. Run as its own process, as
 * slipway is, so both pay for HTTP and a process boundary alike.
 *
 * Its rungs (the first argument) put slipway's own steps behind the same bare server, one more each, so the
 * benchmark can say what each step costs:
 * - `bare`: the floor above.
 * - `parse`: slipway's reading of a delivery (`receive`: verify, JSON, its schema, the push event) instead of
 *   `verify`, then the same `queue.add`.
 * - `accept`: that, then slipway's `acceptPush` on its Redis stores (the claim, the branch's recent pushes, the run
 *   record, its job, the push record) instead of `queue.add`: slipway's intake without its HTTP server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { Webhooks } from '@octokit/webhooks';
import { Queue } from 'bullmq';
import { gitHosts } from '../src/adapters/git/git-hosts.js';
import { BULLMQ_PREFIX, BullRunQueue } from '../src/adapters/redis/bull-queues.js';
import { connectRedis, waitForRedis } from '../src/adapters/redis/redis-connection.js';
import { RedisOnceStore } from '../src/adapters/store/redis-once-store.js';
import { RedisPushLog } from '../src/adapters/store/redis-push-log.js';
import { RedisRunStore } from '../src/adapters/store/redis-run-store.js';
import { parseConfig } from '../src/config.js';
import { serviceList } from '../src/core/config-schema.js';
import { acceptPush } from '../src/intake/accept-push.js';
import { newRunId } from '../src/intake/run-id.js';

const RUNGS = ['bare', 'parse', 'accept'] as const;
export type Rung = (typeof RUNGS)[number];

const rung = (process.argv[2] ?? 'bare') as Rung;
if (!RUNGS.includes(rung)) throw new Error(`http-floor: unknown rung "${rung}"; use one of ${RUNGS.join(', ')}`);
const secret = process.env.GITHUB_WEBHOOK_SECRET ?? '';
const redis = connectRedis(process.env.REDIS_URL ?? '');
const queueRedis = connectRedis(process.env.REDIS_URL ?? '');
const queue = new Queue('bench-http-floor', { connection: queueRedis, prefix: BULLMQ_PREFIX });
const verifier = new Webhooks({ secret });
const secrets = [{ value: secret, name: 'GITHUB_WEBHOOK_SECRET' }];
const services = rung === 'accept' ? serviceList(parseConfig(await readFile(process.env.SLIPWAY_CONFIG ?? '', 'utf8'))) : [];
const runQueue = new BullRunQueue(queueRedis);
const stores = { runs: new RedisRunStore(redis), once: new RedisOnceStore(redis), pushes: new RedisPushLog(redis) };

/** What a rung does with a delivery's body; the status and body of the answer. */
async function handle(req: IncomingMessage, body: Buffer): Promise<[number, string]> {
  const deliveryId = String(req.headers['x-github-delivery']);
  if (rung === 'bare') {
    const text = body.toString('utf8');
    if (!(await verifier.verify(text, String(req.headers['x-hub-signature-256'] ?? '')))) return [401, ''];
    await queue.add('run', { body: text }, { jobId: deliveryId });
    return [202, '{"status":"queued"}'];
  }
  const verdict = await gitHosts.github.receive({ headers: req.headers, body }, secrets);
  if (verdict.kind !== 'push') return [400, JSON.stringify(verdict)];
  if (rung === 'parse') {
    await queue.add('run', { body: body.toString('utf8') }, { jobId: deliveryId });
    return [202, '{"status":"queued"}'];
  }
  const answer = await acceptPush(verdict.event, { ...stores, queue: runQueue, services, newRunId, now: () => new Date() });
  return [answer.status, JSON.stringify(answer.body)];
}

const reply = (res: ServerResponse, [status, text]: [number, string]) => res.writeHead(status, { 'content-type': 'application/json' }).end(text);

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    handle(req, Buffer.concat(chunks)).then(
      (answer) => reply(res, answer),
      () => reply(res, [503, '']),
    );
  });
});
await Promise.all([waitForRedis(redis), waitForRedis(queueRedis)]);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0, msg: 'http floor listening' }));
});
process.on('SIGTERM', () =>
  server.close(() => void Promise.all([queue.close(), runQueue.close()]).then(() => Promise.all([redis.quit(), queueRedis.quit()])).then(() => process.exit(0))),
);
