import { EventEmitter } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { Agent, createServer, get, request, type Server } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { caddyAdmin } from '../../src/adapters/proxy/caddy-admin.js';
import { caddyProxy } from '../../src/adapters/proxy/caddy-proxy.js';
import { startEmbeddedCaddy, type EmbeddedCaddy } from '../../src/adapters/proxy/embedded-caddy.js';
import { reloadResetsConnections } from '../../src/adapters/proxy/reload-resets-connections.js';

// Ports of this file: 23200-23399. Routes listen on 232xx, upstreams on 2322x, admin APIs on 2339x.
const ROUTE = [23200, 23201, 23202, 23203, 23204];
const UPSTREAM = { A: 23220, B: 23221 };
const BOUND_MS = 20_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function embeddedCaddy(options?: { bin?: string; adminPort?: number }): Promise<EmbeddedCaddy> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-caddy-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const caddy = await startEmbeddedCaddy(join(dir, 'caddy'), options);
  cleanups.push(() => caddy.stop());
  return caddy;
}

/** A tiny upstream: answers `text` to every request. */
async function answering(text: string, port: number): Promise<Server> {
  const server = createServer((_req, res) => res.end(text));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return server;
}

/** One request on a new connection: `200 A`, or the error's code. */
function ask(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

async function untilAnswer(port: number, expected: string): Promise<void> {
  const deadline = Date.now() + BOUND_MS;
  let last = '';
  while (Date.now() < deadline) {
    last = await ask(port);
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`127.0.0.1:${port} still answers "${last}", not "${expected}", after ${BOUND_MS / 1000} s`);
}

/**
 * A client sending requests one after another without pause, on one kept-alive connection or on a new
 * connection each time. Like browsers, curl and Go's client (RFC 9112 §9.3.1), it sends a GET once more on a
 * new connection when a kept-alive one was closed before any answer came: a proxy reloading closes its idle
 * connections, and a request can cross that close. Those are counted as `retries`; anything else failing is a
 * failure.
 */
function traffic(port: number, keepAlive: boolean) {
  const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
  const answers: string[] = [];
  const failures: string[] = [];
  let retries = 0;
  let running = true;
  const events = new EventEmitter();
  const once = () =>
    new Promise<string>((resolve, reject) => {
      let answered = false;
      const req = get({ host: '127.0.0.1', port, agent, timeout: 5_000 }, (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(res.statusCode === 200 ? body : `${res.statusCode} ${body}`));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
      req.on('error', (error) => reject(Object.assign(error, { retryable: req.reusedSocket && !answered })));
    });
  const loop = (async () => {
    while (running) {
      try {
        answers.push(await once());
      } catch (error) {
        if (!(error as { retryable?: boolean }).retryable) {
          failures.push((error as Error).message);
        } else {
          retries++;
          try {
            answers.push(await once());
          } catch (again) {
            failures.push(`after a retry: ${(again as Error).message}`);
          }
        }
      }
      events.emit('answer');
    }
  })();
  return {
    answers,
    failures,
    get retries() {
      return retries;
    },
    /** Resolves once `check` holds for the answers so far; bounded. */
    until(check: (answers: string[]) => boolean, what: string): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          events.off('answer', test);
          reject(new Error(`no ${what} within ${BOUND_MS / 1000} s: ${answers.length} answers, failures ${failures.slice(0, 3).join('; ')}`));
        }, BOUND_MS);
        const test = () => {
          if (!check(answers)) return;
          clearTimeout(timer);
          events.off('answer', test);
          resolve();
        };
        events.on('answer', test);
        test();
      });
    },
    async stop() {
      running = false;
      await loop;
      if (agent) agent.destroy();
    },
  };
}

/** Forwards admin API calls to a Caddy on a unix socket and notes each `METHOD path`. */
async function recordingAdmin(caddyAdminUrl: string, port: number) {
  const socketPath = new URL(caddyAdminUrl).pathname;
  const calls: string[] = [];
  const server = createServer(async (req, res) => {
    calls.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.origin;
    const upstream = request({ socketPath, method: req.method, path: req.url, headers, setHost: false, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.setHeader('Host', '');
    upstream.on('error', () => res.destroy());
    // In one write, as slipway sends it: a streamed body's last write can meet the connection Caddy closes
    // once it has answered.
    upstream.end(Buffer.concat(chunks));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${port}`, calls };
}

const countOf = (answers: string[], text: string) => answers.filter((answer) => answer === text).length;

describe('Caddy as the blue/green proxy', () => {
  it('switches a route from A to B in one admin call while clients keep sending: none fails, each sees A, then only B', async () => {
    // Without it the kernel resets new connections queued on the listener Caddy closes at each reload.
    const resets = await reloadResetsConnections();
    if (resets) throw new Error(`${resets}. scripts/services.sh sets it when run as root, as the test setup runs it.`);
    await answering('A', UPSTREAM.A);
    await answering('B', UPSTREAM.B);
    const caddy = await embeddedCaddy();
    const admin = await recordingAdmin(caddy.adminUrl, 23391);
    const proxy = caddyProxy(admin.url);
    const listen = `127.0.0.1:${ROUTE[0]}`;

    await proxy.route('web-staging', listen, `127.0.0.1:${UPSTREAM.A}`);
    expect(admin.calls).toEqual(['GET /id/slipway_web-staging', 'PUT /config/apps/http/servers/slipway_web-staging']);
    expect(await ask(ROUTE[0]!)).toBe('200 A');

    const clients = [traffic(ROUTE[0]!, true), traffic(ROUTE[0]!, true), traffic(ROUTE[0]!, false), traffic(ROUTE[0]!, false)];
    cleanups.push(() => Promise.all(clients.map((client) => client.stop())));
    await Promise.all(clients.map((client) => client.until((answers) => answers.length >= 20, '20 answers before the switch')));

    admin.calls.length = 0;
    await proxy.route('web-staging', listen, `127.0.0.1:${UPSTREAM.B}`);
    // One change: the read tells it exists, then a single PATCH replaces its server (listen and upstream).
    expect(admin.calls).toEqual(['GET /id/slipway_web-staging', 'PATCH /id/slipway_web-staging']);

    await Promise.all(clients.map((client) => client.until((answers) => countOf(answers, 'B') >= 20, '20 answers from B after the switch')));
    await Promise.all(clients.map((client) => client.stop()));
    for (const [i, client] of clients.entries()) {
      const keptAlive = i < 2;
      expect(client.failures, `client ${i} (${keptAlive ? 'kept-alive' : 'new connections'})`).toEqual([]);
      expect(client.answers.join(''), `client ${i}`).toMatch(/^A+B+$/);
      // At most the one kept-alive connection the reload closed; new connections never need one.
      expect(client.retries, `client ${i}`).toBeLessThanOrEqual(keptAlive ? 1 : 0);
    }
    expect(await proxy.upstream('web-staging')).toBe(`127.0.0.1:${UPSTREAM.B}`);
  });

  it('reads a route back, keeps two routes apart, and removes one without touching the other', async () => {
    await answering('A', UPSTREAM.A);
    await answering('B', UPSTREAM.B);
    const caddy = await embeddedCaddy();
    const proxy = caddyProxy(caddy.adminUrl);

    expect(await proxy.upstream('shop-staging')).toBeUndefined();
    await proxy.route('shop-staging', `127.0.0.1:${ROUTE[1]}`, `127.0.0.1:${UPSTREAM.A}`);
    await proxy.route('shop-production', `127.0.0.1:${ROUTE[2]}`, `127.0.0.1:${UPSTREAM.B}`);
    expect(await proxy.upstream('shop-staging')).toBe(`127.0.0.1:${UPSTREAM.A}`);
    expect(await proxy.upstream('shop-production')).toBe(`127.0.0.1:${UPSTREAM.B}`);
    expect(await ask(ROUTE[1]!)).toBe('200 A');
    expect(await ask(ROUTE[2]!)).toBe('200 B');

    // A route moved to another address in the same one change.
    await proxy.route('shop-staging', `127.0.0.1:${ROUTE[3]}`, `127.0.0.1:${UPSTREAM.B}`);
    expect(await ask(ROUTE[3]!)).toBe('200 B');
    await untilAnswer(ROUTE[1]!, 'ECONNREFUSED');

    await proxy.remove('shop-staging');
    await untilAnswer(ROUTE[3]!, 'ECONNREFUSED');
    expect(await proxy.upstream('shop-staging')).toBeUndefined();
    await proxy.remove('shop-staging'); // nothing there: nothing happens
    expect(await ask(ROUTE[2]!)).toBe('200 B');
    expect(await proxy.upstream('shop-production')).toBe(`127.0.0.1:${UPSTREAM.B}`);
  });

  it("leaves a team's own servers alone, and makes the http app when the config has none", async () => {
    await answering('A', UPSTREAM.A);
    const caddy = await embeddedCaddy();
    const admin = caddyAdmin(caddy.adminUrl);
    const proxy = caddyProxy(caddy.adminUrl);

    // A Caddy with no http app at all: the first route makes it.
    expect((await admin('DELETE', '/config/apps')).status).toBe(200);
    await proxy.route('api-staging', `127.0.0.1:${ROUTE[1]}`, `127.0.0.1:${UPSTREAM.A}`);
    expect(await ask(ROUTE[1]!)).toBe('200 A');
    await proxy.remove('api-staging');

    // A team's Caddy that already serves a site of its own, tagged with its own @id.
    const site = {
      '@id': 'team_site',
      listen: [`127.0.0.1:${ROUTE[4]}`],
      automatic_https: { disable: true },
      routes: [{ handle: [{ handler: 'static_response', body: 'team site' }] }],
    };
    expect((await admin('PUT', '/config/apps/http/servers/team_site', site)).status).toBe(200);
    const before = (await admin('GET', '/config/apps/http/servers/team_site')).body;

    await proxy.route('api-staging', `127.0.0.1:${ROUTE[1]}`, `127.0.0.1:${UPSTREAM.A}`);
    await proxy.route('api-production', `127.0.0.1:${ROUTE[2]}`, `127.0.0.1:${UPSTREAM.A}`);
    await proxy.remove('api-staging');

    expect((await admin('GET', '/config/apps/http/servers/team_site')).body).toBe(before);
    expect(await ask(ROUTE[4]!)).toBe('200 team site');
    expect(await ask(ROUTE[2]!)).toBe('200 A');
    const servers = JSON.parse((await admin('GET', '/config/apps/http/servers')).body) as Record<string, unknown>;
    expect(Object.keys(servers).sort()).toEqual(['slipway_api-production', 'team_site']);
  });

  it('says which admin API, which call and what Caddy answered when a change cannot be made', async () => {
    await answering('A', UPSTREAM.A);
    const caddy = await embeddedCaddy();
    const proxy = caddyProxy(caddy.adminUrl);

    await expect(caddyProxy('http://127.0.0.1:23399').upstream('web-staging')).rejects.toThrow(
      /^Caddy's admin API at http:\/\/127\.0\.0\.1:23399 did not answer GET \/id\/slipway_web-staging_proxy\/upstreams: connect ECONNREFUSED 127\.0\.0\.1:23399\. Check that Caddy runs/,
    );

    // An admin address that takes the connection and never answers: bounded by the timeout.
    const held: Socket[] = [];
    const silent = createNetServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(23398, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => {
      for (const socket of held) socket.destroy();
      silent.close(resolve);
    }));
    await expect(caddyProxy('http://127.0.0.1:23398', { timeoutMs: 300 }).route('web-staging', `127.0.0.1:${ROUTE[0]}`, `127.0.0.1:${UPSTREAM.A}`)).rejects.toThrow(
      /did not answer GET \/id\/slipway_web-staging: no answer within 0\.3 s/,
    );

    // Caddy refuses a route on a port another program holds, and keeps its config as it was.
    await expect(proxy.route('web-busy', `127.0.0.1:${UPSTREAM.A}`, `127.0.0.1:${UPSTREAM.A}`)).rejects.toThrow(
      new RegExp(`^Caddy at unix://.*/admin\\.sock refused PUT /config/apps/http/servers/slipway_web-busy: 500 .*bind: address already in use \\(another program`),
    );
    expect(await proxy.upstream('web-busy')).toBeUndefined();

    await expect(proxy.route('Web/Prod', `127.0.0.1:${ROUTE[0]}`, `127.0.0.1:${UPSTREAM.A}`)).rejects.toThrow(/"Web\/Prod" cannot name a proxy route/);
    await expect(proxy.route('web-staging', 'localhost', `127.0.0.1:${UPSTREAM.A}`)).rejects.toThrow(/listen "localhost" is not host:port/);
    expect(() => caddyProxy('ftp://127.0.0.1:2019')).toThrow(/is not a Caddy admin API URL/);
  });
});

describe('embedded Caddy', () => {
  it('keeps its admin socket and state under its directory, nothing in $HOME, and takes its routes back on restart', async () => {
    await answering('A', UPSTREAM.A);
    const dir = await mkdtemp(join(tmpdir(), 'slipway-caddy-'));
    const home = await mkdtemp(join(tmpdir(), 'slipway-home-'));
    const realHome = process.env.HOME;
    cleanups.push(async () => {
      process.env.HOME = realHome;
      await rm(dir, { recursive: true, force: true });
      await rm(home, { recursive: true, force: true });
    });
    process.env.HOME = home;
    const state = join(dir, 'caddy');

    const first = await startEmbeddedCaddy(state);
    try {
      expect(first.adminUrl).toBe(`unix://${state}/admin.sock`);
      expect((await stat(state)).mode & 0o777).toBe(0o700);
      await caddyProxy(first.adminUrl).route('web-staging', `127.0.0.1:${ROUTE[0]}`, `127.0.0.1:${UPSTREAM.A}`);
      expect(await ask(ROUTE[0]!)).toBe('200 A');
      expect(await readFile(join(state, 'config', 'caddy', 'autosave.json'), 'utf8')).toContain('slipway_web-staging');
      // One left running on the same directory (an earlier slipway died) is used as it is, never started twice.
      const adopted = await startEmbeddedCaddy(state);
      expect(adopted).toMatchObject({ adopted: true, adminUrl: first.adminUrl });
      expect(await caddyProxy(adopted.adminUrl).upstream('web-staging')).toBe(`127.0.0.1:${UPSTREAM.A}`);
      await adopted.stop();
      expect(await ask(ROUTE[0]!)).toBe('200 A');
    } finally {
      await first.stop();
    }
    await untilAnswer(ROUTE[0]!, 'ECONNREFUSED');

    const again = await startEmbeddedCaddy(state);
    try {
      expect(await caddyProxy(again.adminUrl).upstream('web-staging')).toBe(`127.0.0.1:${UPSTREAM.A}`);
      expect(await ask(ROUTE[0]!)).toBe('200 A');
    } finally {
      await again.stop();
    }
    expect(await readdir(home)).toEqual([]);
  });

  it('puts the admin API on a loopback port when given one, where the Host and Origin checks pass', async () => {
    await answering('A', UPSTREAM.A);
    const caddy = await embeddedCaddy({ adminPort: 23390 });
    expect(caddy.adminUrl).toBe('http://127.0.0.1:23390');
    for (const url of ['http://127.0.0.1:23390', 'http://localhost:23390/']) {
      const proxy = caddyProxy(url);
      await proxy.route('web-staging', `127.0.0.1:${ROUTE[0]}`, `127.0.0.1:${UPSTREAM.A}`);
      expect(await proxy.upstream('web-staging')).toBe(`127.0.0.1:${UPSTREAM.A}`);
      await proxy.remove('web-staging');
    }
  });

  it('says how to install caddy when it is missing, and why it stopped when it cannot start', async () => {
    await expect(embeddedCaddy({ bin: 'caddy-that-does-not-exist' })).rejects.toThrow(
      /^cannot start the embedded Caddy: caddy is not installed: run scripts\/services\.sh as root, or apt-get install caddy$/,
    );

    const taken = createNetServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => taken.listen(23397, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => taken.close(resolve)));
    await expect(embeddedCaddy({ adminPort: 23397 })).rejects.toThrow(/^cannot start the embedded Caddy: caddy exited with code 1: .*address already in use/);
  });
});
