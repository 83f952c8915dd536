import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { HealthProbe, Logger } from '../core/ports.js';
import { isAdminPath } from './admin-route.js';
import { ATTR, contextFrom, inSpan, SpanKind, SpanStatusCode } from '../core/tracing.js';
import { replyJson } from './http-reply.js';
import { refuseUnread } from './read-body.js';

export type HttpServerDeps = {
  /** Absent in a worker process, which answers only health and metrics. */
  webhook?(req: IncomingMessage, res: ServerResponse, host: string): Promise<void>;
  /** `GET /runs/:id`: the run page. */
  runPage?(req: IncomingMessage, res: ServerResponse, runId: string, signature: string | null): Promise<void>;
  /** `GET /services/:name`: a service's delivery figures and chart. */
  servicePage?(req: IncomingMessage, res: ServerResponse, service: string, query: URLSearchParams): Promise<void>;
  /** Prometheus text for `GET /metrics`. */
  metrics?: { contentType: string; text(): Promise<string> };
  /** `POST /slack/events` (Bolt behind `slackEventsRoute`); absent in console mode (no Slack token). */
  slack?: RequestListener;
  /** `/admin/queues` and below: the queue dashboard behind its credentials (`adminRoute`); absent, it is off (404). */
  admin?(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  probes: readonly HealthProbe[];
  log: Logger;
};

/**
 * The one HTTP front door: Slack, git webhooks and health on one port. Our own server (not Bolt's) so the
 * same routes serve in console mode and in Socket Mode, where Bolt's HTTP receiver is not used.
 */
export function createHttpServer(deps: HttpServerDeps): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = parsedUrl(req.url ?? '/');
    if (!url) return replyJson(res, 400, { error: 'the request path is not a valid URL path' });
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const webhook = /^\/webhooks\/([^/]+)$/.exec(path);
    const runPage = /^\/runs\/([^/]+)$/.exec(path);
    const servicePage = /^\/services\/([^/]+)$/.exec(path);

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
      const runId = decoded(runPage[1]);
      if (runId === undefined) return replyJson(res, 400, { error: 'the run id in this path is not valid percent-encoding' });
      return deps.runPage(req, res, runId, url.searchParams.get('sig'));
    }
    if (servicePage?.[1] && deps.servicePage) {
      if (!onlyMethod(res, method, 'GET')) return;
      const service = decoded(servicePage[1]);
      if (service === undefined) return replyJson(res, 400, { error: 'the service name in this path is not valid percent-encoding' });
      return deps.servicePage(req, res, service, url.searchParams);
    }
    if (deps.admin && isAdminPath(path)) return deps.admin(req, res, url);
    if (webhook?.[1] && deps.webhook) return onlyMethod(res, method, 'POST') && (await deps.webhook(req, res, webhook[1]));
    if (path === '/slack/events') {
      if (!onlyMethod(res, method, 'POST')) return;
      if (!deps.slack) {
        refuseUnread(req, res, 503, { error: 'Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET' });
        return;
      }
      return deps.slack(req, res);
    }
    replyJson(res, 404, { error: `no route for ${method} ${path}` });
  };

  const server = createServer({ connectionsCheckingInterval: TIMEOUTS.checkEveryMs }, (req, res) => {
    traced(req, res, handle).catch((error: unknown) => {
      deps.log.error({ err: error, url: req.url }, 'request failed');
      replyJson(res, 500, { error: 'slipway failed on this request; the details are in its log' });
    });
  });
  // Headers and whole requests that trickle in hold a socket each; Node's defaults (60 s, 300 s) are far
  // longer than any sender of ours (git hosts, Slack, probes) takes.
  server.headersTimeout = TIMEOUTS.headersMs;
  server.requestTimeout = TIMEOUTS.requestMs;
  return server;
}

/** Probes and scrapes come every few seconds and start nothing: they get no span. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

/** The route a path matched, as OpenTelemetry's `http.route` names it (a template, never the values). */
function routeOf(path: string): string {
  if (/^\/webhooks\/[^/]+$/.test(path)) return '/webhooks/:host';
  if (/^\/runs\/[^/]+$/.test(path)) return '/runs/:id';
  if (/^\/services\/[^/]+$/.test(path)) return '/services/:name';
  return path === '/slack/events' ? path : '';
}

/**
 * slipway's handling of one request as a server span, in the trace of the caller's `traceparent` when it sent
 * one; a run it starts joins this trace. Ended when the reply is sent.
 */
async function traced(req: IncomingMessage, res: ServerResponse, handle: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>): Promise<unknown> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (UNTRACED.has(path)) return handle(req, res);
  const method = req.method ?? 'GET';
  const route = routeOf(path);
  const attributes = { [ATTR.httpMethod]: method, [ATTR.urlPath]: path, [ATTR.urlScheme]: 'http', ...(route && { [ATTR.httpRoute]: route }) };
  return inSpan(route ? `${method} ${route}` : method, { kind: SpanKind.SERVER, attributes, parent: contextFrom(req.headers) }, async (span) => {
    const ended = new Promise<void>((resolve) => res.once('close', resolve));
    await handle(req, res);
    // Bolt acks a command after its listener returns: the span lasts until the reply is out.
    await ended;
    span.setAttribute(ATTR.httpStatus, res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  });
}

const TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, checkEveryMs: 5_000 };

/** The request's URL, or undefined for a target URL cannot read (Node 20 has no `URL.parse`). */
function parsedUrl(target: string): URL | undefined {
  try {
    return new URL(target, 'http://localhost');
  } catch {
    return undefined;
  }
}

/** `decodeURIComponent` that answers undefined for a malformed escape (`%E0%A4%A`) instead of throwing. */
function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
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
