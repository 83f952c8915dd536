import type { Server } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoute, type Dashboard } from '../../../src/intake/admin-route.js';
import { createHttpServer } from '../../../src/intake/http-server.js';

const TOKEN = 'route-token-0123456789abcdef0123456789';
const PORT = 27010;
const base = `http://127.0.0.1:${PORT}`;

/** What the dashboard was asked, and how often it was loaded. */
const seen: string[] = [];
let loads = 0;
const dashboard: Dashboard = (req, res) => {
  seen.push(req.url ?? '');
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('dashboard');
};

let server: Server;
beforeAll(async () => {
  const admin = adminRoute({
    access: { token: TOKEN, write: false },
    dashboard: async () => {
      loads++;
      return dashboard;
    },
  });
  server = createHttpServer({ admin, probes: [], log: pino({ level: 'silent' }) });
  await new Promise<void>((resolve) => server.listen(PORT, '127.0.0.1', resolve));
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);

describe('the front door of /admin/queues', () => {
  it('refuses without the credentials before the dashboard is even loaded', async () => {
    const res = await fetch(`${base}/admin/queues/api/queues`);

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="slipway queue dashboard"/);
    expect(loads).toBe(0);
  });

  it.each([
    ['/admin/queues', '/'],
    ['/admin/queues/', '/'],
    ['/admin/queues/api/queues?activeQueue=runs&status=failed', '/api/queues?activeQueue=runs&status=failed'],
    ['/admin/queues/static/js/main.js', '/static/js/main.js'],
  ])('hands %s to the dashboard as %s', async (path, relative) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

    expect(res.status).toBe(200);
    expect(await res.text()).toBe('dashboard');
    expect(seen.at(-1)).toBe(relative);
  });

  it('refuses a change while read-only before it reaches the dashboard', async () => {
    const before = seen.length;
    const res = await fetch(`${base}/admin/queues/api/queues/runs/r-1/retry`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` } });

    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(((await res.json()) as { error: string }).error).toContain('SLIPWAY_ADMIN_WRITE=true');
    expect(seen.length).toBe(before);
  });

  it('loads the dashboard once, however many requests come', () => {
    expect(loads).toBe(1);
  });

  it.each(['/admin/queuesX', '/admin', '/admin/%71ueues/api/queues', '/admin/queues/../metrics'])('%s is not the dashboard (404, not 401)', async (path) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

    expect(res.status).toBe(404);
  });
});
