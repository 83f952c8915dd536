import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { openQueue } from './bull-queues.js';

export type QueueDashboard = {
  /** Answers a request whose URL is relative to `basePath` (`/api/queues`, `/static/…`, `/`). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
};

/**
 * Bull Board over slipway's BullMQ queues (their own `Queue` objects on the given connection, under
 * BULLMQ_PREFIX), served by its Express adapter. Read-only unless `write` (and then slipway's front door lets only
 * retry, clean and promote through: intake/admin-route.ts).
 * Loaded only where the dashboard is on (compose/admin.ts): Bull Board stays out of other processes.
 */
export function queueDashboard({ connection, queueNames, basePath, write }: { connection: Redis; queueNames: readonly string[]; basePath: string; write: boolean }): QueueDashboard {
  const queues: Queue[] = queueNames.map((name) => openQueue(name, connection));
  const server = new ExpressAdapter().setBasePath(basePath);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: !write, allowRetries: write })),
    serverAdapter: server,
    options: { uiConfig: { boardTitle: write ? 'slipway queues' : 'slipway queues (read-only)' } },
  });
  const app = server.getRouter() as ((req: IncomingMessage, res: ServerResponse) => void) & { disable(setting: string): void };
  app.disable('x-powered-by');
  return {
    handle: (req, res) => app(req, res),
    close: async () => {
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}
