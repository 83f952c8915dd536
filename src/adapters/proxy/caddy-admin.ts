import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SlipwayError } from '../../core/errors.js';

export type AdminAnswer = { status: number; body: string };

/** One call to Caddy's admin API: method, path (`/config/…`, `/id/…`), an optional JSON body. */
export type AdminCall = (method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) => Promise<AdminAnswer>;

/**
 * Calls to Caddy's admin API at `adminUrl`: `http(s)://host:port[/prefix]`, or `unix:///path/to/admin.sock`
 * (fetch cannot reach a unix socket, hence node:http). Each call is bounded by `timeoutMs` from connect to the
 * last byte; a call that gets no answer throws naming the admin URL and the call. Any HTTP answer is returned.
 */
export function caddyAdmin(adminUrl: string, { timeoutMs = 10_000 }: { timeoutMs?: number } = {}): AdminCall {
  const target = adminTarget(adminUrl);
  return (method, path, body) =>
    new Promise((resolveAnswer, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      // A connection per call: Caddy may restart its admin endpoint on a config change, closing kept-alive ones.
      const options: RequestOptions = { ...target.options, method, path: `${target.prefix}${path}`, setHost: false, agent: false };
      const req = (target.tls ? httpsRequest : httpRequest)(options, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolveAnswer({ status: res.statusCode ?? 0, body: text });
        });
        res.on('error', fail);
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      function fail(error: Error) {
        clearTimeout(timer);
        reject(
          new SlipwayError(
            'proxy_unreachable',
            `Caddy's admin API at ${adminUrl} did not answer ${method} ${path}: ${error.message}. Check that Caddy runs with its admin endpoint there (proxy.admin in slipway.yml).`,
          ),
        );
      }
      req.on('error', fail);
      // Caddy checks Host against its admin address (DNS rebinding); on a unix socket it expects an empty
      // one. Origin is only checked with `enforce_origin`, and then it must name the admin address too.
      req.setHeader('Host', target.host);
      if (target.origin) req.setHeader('Origin', target.origin);
      if (payload !== undefined) {
        // Caddy refuses a config change whose Content-Type is not JSON.
        req.setHeader('Content-Type', 'application/json');
        req.setHeader('Content-Length', Buffer.byteLength(payload));
      }
      req.end(payload);
    });
}

type AdminTarget = { options: RequestOptions; prefix: string; host: string; origin?: string; tls: boolean };

function adminTarget(adminUrl: string): AdminTarget {
  let url: URL;
  try {
    url = new URL(adminUrl);
  } catch {
    throw new SlipwayError('proxy_admin_url', `"${adminUrl}" is not a Caddy admin API URL: expected http://127.0.0.1:2019 or unix:///path/to/admin.sock`);
  }
  if (url.protocol === 'unix:' && url.pathname.length > 1) {
    return { options: { socketPath: decodeURIComponent(url.pathname) }, prefix: '', host: '', tls: false };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const tls = url.protocol === 'https:';
    return {
      options: { hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (tls ? 443 : 80) },
      // An admin API behind a path prefix (a team's own reverse proxy in front of it) keeps it.
      prefix: url.pathname.replace(/\/+$/, ''),
      host: url.host,
      origin: url.origin,
      tls,
    };
  }
  throw new SlipwayError('proxy_admin_url', `"${adminUrl}" is not a Caddy admin API URL: expected http://127.0.0.1:2019 or unix:///path/to/admin.sock`);
}
