import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { HealthProbe } from '../core/ports.js';
import type { Logger } from '../log.js';
import { replyJson } from './http-reply.js';

/** Slack's commands and clicks are a few kB; a modal's state stays well under this. */
const MAX_SLACK_BYTES = 1024 * 1024;

export type HttpServerDeps = {
  /** Absent in a worker process, which answers only health and metrics. */
  webhook?(req: IncomingMessage, res: ServerResponse, host: string): Promise<void>;
  /** `GET /runs/:id`: the run page. */
  runPage?(req: IncomingMessage, res: ServerResponse, runId: string, signature: string | null): Promise<void>;
  /** Prometheus text for `GET /metrics`. */
  metrics?: { contentType: string; text(): Promise<string> };
  /** Bolt's receiver; absent in console mode (no Slack token). */
  slack?: RequestListener;
  probes: readonly HealthProbe[];
  log: Logger;
};

/**
 * The one HTTP front door: Slack, git webhooks and health on one port. Our own server (not Bolt's) so the
 * same routes serve in console mode and in Socket Mode, where Bolt's HTTP receiver is not used.
 */
export function createHttpServer(deps: HttpServerDeps): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const webhook = /^\/webhooks\/([^/]+)$/.exec(path);
    const runPage = /^\/runs\/([^/]+)$/.exec(path);

    if (path === '/healthz') return onlyMethod(res, method, 'GET') && replyJson(res, 200, { status: 'ok' });
    if (path === '/readyz') return onlyMethod(res, method, 'GET') && replyJson(res, ...(await readiness(deps.probes)));
    if (path === '/metrics' && deps.metrics) {
      if (!onlyMethod(res, method, 'GET')) return;
      const text = await deps.metrics.text();
      res.writeHead(200, { 'content-type': deps.metrics.contentType });
      res.end(text);
      return;
    }
    if (runPage?.[1] && deps.runPage) {
      if (!onlyMethod(res, method, 'GET')) return;
      return deps.runPage(req, res, decodeURIComponent(runPage[1]), url.searchParams.get('sig'));
    }
    if (webhook?.[1] && deps.webhook) return onlyMethod(res, method, 'POST') && (await deps.webhook(req, res, webhook[1]));
    if (path === '/slack/events') {
      if (!onlyMethod(res, method, 'POST')) return;
      if (!deps.slack) {
        replyJson(res, 503, { error: 'Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET' });
        return;
      }
      if (Number(req.headers['content-length']) > MAX_SLACK_BYTES) {
        // Refused before Bolt reads it; the socket is dropped once the answer is out, the rest unread.
        replyJson(res, 413, { error: `body is larger than ${MAX_SLACK_BYTES} bytes` }, { connection: 'close' });
        res.once('finish', () => req.destroy());
        return;
      }
      return deps.slack(req, res);
    }
    replyJson(res, 404, { error: `no route for ${method} ${path}` });
  };

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      deps.log.error({ err: error, url: req.url }, 'request failed');
      replyJson(res, 500, { error: 'slipway failed on this request; the details are in its log' });
    });
  });
}

function onlyMethod(res: ServerResponse, method: string, allowed: string): boolean {
  if (method === allowed) return true;
  replyJson(res, 405, { error: `use ${allowed}` }, { allow: allowed });
  return false;
}

async function readiness(probes: readonly HealthProbe[]): Promise<[number, unknown]> {
  const results = await Promise.all(
    probes.map(async (probe) => {
      try {
        await withTimeout(probe.check(), 3_000, `${probe.name} did not answer within 3 s`);
        return [probe.name, 'ok'] as const;
      } catch (error) {
        return [probe.name, (error as Error).message] as const;
      }
    }),
  );
  const ready = results.every(([, result]) => result === 'ok');
  return [ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) }];
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
