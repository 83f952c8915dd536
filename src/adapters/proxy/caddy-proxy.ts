import { z } from 'zod';
import { SlipwayError } from '../../core/errors.js';
import type { TrafficProxy } from '../../core/ports.js';
import { caddyAdmin, type AdminAnswer } from './caddy-admin.js';

/** Route ids come from service and environment names; anything else could escape its path segment or `@id`. */
const ROUTE_ID = /^[a-z0-9](?:[a-z0-9-]{0,198}[a-z0-9])?$/;
/** `host:port` or `[ipv6]:port`, as Caddy's `listen` and `dial` take them. */
const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

const Upstreams = z.array(z.object({ dial: z.string() })).nullable();
const CaddyError = z.object({ error: z.string() });

/**
 * A `TrafficProxy` over Caddy's admin API. Each route is one server of Caddy's http app, named and tagged
 * `slipway_<route>`, listening on the route's address, with one `reverse_proxy` handler (tagged
 * `slipway_<route>_proxy`) sending everything to one upstream. `_` is not in a route id, so no route's tags
 * can be another's. A route that exists is switched by replacing its server in one PATCH: Caddy applies a
 * change as one graceful reload, so requests go either to the old upstream or to the new one. Other servers
 * in the same Caddy (a team's own sites) are never read or written.
 */
export function caddyProxy(adminUrl: string, { timeoutMs = 10_000 }: { timeoutMs?: number } = {}): TrafficProxy {
  const admin = caddyAdmin(adminUrl, { timeoutMs });

  async function call(method: 'GET' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<AdminAnswer> {
    const answer = await admin(method, path, body);
    // 404 is how Caddy says an `@id` is not in its config: callers decide what that means.
    if ((answer.status >= 200 && answer.status < 300) || answer.status === 404) return answer;
    throw new SlipwayError('proxy_refused', `Caddy at ${adminUrl} refused ${method} ${path}: ${answer.status} ${caddySays(answer)}${hint(answer)}`);
  }

  return {
    async upstream(route) {
      const { proxy } = tags(route);
      const answer = await call('GET', `/id/${proxy}/upstreams`);
      if (answer.status === 404) return undefined;
      const upstreams = Upstreams.safeParse(parseJson(answer.body));
      if (!upstreams.success) {
        throw new SlipwayError('proxy_refused', `Caddy at ${adminUrl} answered GET /id/${proxy}/upstreams with something other than a list of upstreams: ${answer.body.slice(0, 200)}`);
      }
      return upstreams.data?.[0]?.dial;
    },

    async route(route, listen, upstream) {
      const { server } = tags(route);
      hostPort('listen', listen);
      hostPort('upstream', upstream);
      const config = serverConfig(route, listen, upstream);
      const existing = await call('GET', `/id/${server}`);
      if (existing.status === 404) {
        // PUT creates `apps.http.servers` on the way when the config has none, and never replaces a server.
        await call('PUT', `/config/apps/http/servers/${server}`, config);
        return;
      }
      await call('PATCH', `/id/${server}`, config);
    },

    async remove(route) {
      await call('DELETE', `/id/${tags(route).server}`);
    },
  };
}

function tags(route: string): { server: string; proxy: string } {
  if (!ROUTE_ID.test(route)) {
    throw new SlipwayError('proxy_route', `"${route}" cannot name a proxy route: expected lower-case letters, digits and dashes (at most 200), as service and environment names are`);
  }
  return { server: `slipway_${route}`, proxy: `slipway_${route}_proxy` };
}

function hostPort(what: string, text: string): void {
  const port = Number(HOST_PORT.exec(text)?.[1] ?? 0);
  if (port < 1 || port > 65535) {
    throw new SlipwayError('proxy_route', `the proxy's ${what} "${text}" is not host:port (like 127.0.0.1:8080)`);
  }
}

/** One server of Caddy's http app: plain HTTP on `listen`, everything to `upstream`. */
function serverConfig(route: string, listen: string, upstream: string) {
  const { server, proxy } = tags(route);
  return {
    '@id': server,
    listen: [listen],
    // Environments listen on plain ports: no certificates to get, no redirects to HTTPS.
    automatic_https: { disable: true },
    routes: [{ handle: [{ '@id': proxy, handler: 'reverse_proxy', upstreams: [{ dial: upstream }] }] }],
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function caddySays(answer: AdminAnswer): string {
  const parsed = CaddyError.safeParse(parseJson(answer.body));
  return parsed.success ? parsed.data.error : answer.body.trim().slice(0, 300) || '(no body)';
}

/** What to do about the refusals a misconfigured admin endpoint gives. */
function hint(answer: AdminAnswer): string {
  const said = caddySays(answer);
  if (/^host not allowed/.test(said)) return ' (add the admin URL\'s host:port to admin.origins in that Caddy\'s config)';
  if (/Origin/.test(said)) return ' (add the admin URL to admin.origins in that Caddy\'s config)';
  if (/address already in use/.test(said)) return ' (another program, or another server of that Caddy, listens there: pick another port)';
  return '';
}
