/**
 * The HTTP floor of the webhook-intake benchmark: a bare `node:http` server that reads the body, verifies the
 * signature (@octokit/webhooks `verify`) and calls BullMQ's `queue.add` with the delivery id as job id, on the
 * Redis slipway uses. Nothing else: no schema, no deduplication, no run record. Run as its own process, as
 * slipway is, so both pay for HTTP and a process boundary alike.
 */
import { createServer } from 'node:http';
import { Webhooks } from '@octokit/webhooks';
import { Queue } from 'bullmq';
import { BULLMQ_PREFIX } from '../src/adapters/redis/bull-queues.js';
import { connectRedis } from '../src/adapters/redis/redis-connection.js';

const redis = connectRedis(process.env.REDIS_URL ?? '');
const queue = new Queue('bench-http-floor', { connection: redis, prefix: BULLMQ_PREFIX });
const verifier = new Webhooks({ secret: process.env.GITHUB_WEBHOOK_SECRET ?? '' });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    void (async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!(await verifier.verify(body, String(req.headers['x-hub-signature-256'] ?? '')))) {
        res.writeHead(401).end();
        return;
      }
      await queue.add('run', { body }, { jobId: String(req.headers['x-github-delivery']) });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"queued"}');
    })().catch(() => res.writeHead(503).end());
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0, msg: 'http floor listening' }));
});
process.on('SIGTERM', () => server.close(() => void queue.close().then(() => redis.quit()).then(() => process.exit(0))));
