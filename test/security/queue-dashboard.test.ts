import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULLMQ_PREFIX } from '../../src/adapters/redis/bull-queues.js';
import { closeRedis, connectRedis } from '../../src/adapters/redis/redis-connection.js';
import { RUNS_QUEUE } from '../../src/core/jobs.js';
import { until } from '../helpers/run-watch.js';
import { startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';

// Issue 21, point 1: Bull Board at /admin/queues, off unless credentials are set, never reachable without them,
// read-only unless SLIPWAY_ADMIN_WRITE says otherwise.
const TOKEN = 'dashboard-token-0123456789abcdef0123456789';
const USER = 'ops';
const PASSWORD = 'dashboard-password-42';
const ON = { SLIPWAY_ADMIN_TOKEN: TOKEN, SLIPWAY_ADMIN_USER: USER, SLIPWAY_ADMIN_PASSWORD: PASSWORD };
const FAILURE = 'checkout failed: the commit 0badc0de is not in the repository';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

/** The dashboard's page, one of its static files, its API, and a change through its API. */
const ROUTES: [method: string, path: string][] = [
  ['GET', '/admin/queues'],
  ['GET', '/admin/queues/'],
  ['GET', '/admin/queues/queue/runs'],
  ['GET', '/admin/queues/static/images/logo.svg'],
  ['GET', '/admin/queues/api/queues'],
  ['PUT', '/admin/queues/api/queues/runs/failing-run/retry'],
  ['PUT', '/admin/queues/api/queues/runs/clean/failed'],
];

async function ask(slipway: TestSlipway, method: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${slipway.url}${path}`, { method, headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('the queue dashboard when no credential is set', () => {
  let slipway: TestSlipway;
  beforeAll(async () => {
    slipway = await startTestSlipway({ env: { PORT: '27001' } });
  }, 120_000);
  afterAll(() => slipway.stop());

  it.each(ROUTES)('%s %s is no route at all (404), with or without credentials', async (method, path) => {
    expect((await ask(slipway, method, path)).status).toBe(404);
    expect((await ask(slipway, method, path, bearer(TOKEN))).status).toBe(404);
    expect((await ask(slipway, method, path, basic(USER, PASSWORD))).status).toBe(404);
  });
});

describe('the queue dashboard with credentials set', () => {
  let slipway: TestSlipway;
  let writable: TestSlipway;
  beforeAll(async () => {
    slipway = await startTestSlipway({ env: { ...ON, PORT: '27002' } });
    // A second server on the same Redis that may change jobs.
    writable = await startTestSlipway({ env: { ...ON, SLIPWAY_ADMIN_WRITE: 'true', PORT: '27003' }, sharedRedis: slipway.redisServer });
    // A run's job that fails for good: a worker of the test's own takes it (a server works no runs).
    await slipway.queue.add('push', { runId: 'failing-run' }, { jobId: 'failing-run', attempts: 1 });
    const connection = connectRedis(slipway.redisServer.url, { forWorker: true });
    const worker = new Worker(RUNS_QUEUE, async () => {
      throw new Error(FAILURE);
    }, { connection, prefix: BULLMQ_PREFIX });
    await until(async () => ((await slipway.queue.getJobState('failing-run')) === 'failed' ? true : undefined), 'the failing run job to fail');
    await worker.close();
    await closeRedis(connection);
  }, 180_000);
  afterAll(async () => {
    await writable?.stop();
    await slipway?.stop();
  });

  const WRONG: [string, Record<string, string>][] = [
    ['no credentials', {}],
    ['a wrong bearer token', bearer(`${TOKEN.slice(0, -1)}x`)],
    ['the password as a bearer token', bearer(PASSWORD)],
    ['a wrong basic password', basic(USER, `${PASSWORD}x`)],
    ['the password under another user', basic('root', PASSWORD)],
    ['an empty basic password', basic(USER, '')],
    ['a bearer token in the basic scheme unencoded', { authorization: `Basic ${TOKEN}` }],
  ];
  const cases = ROUTES.flatMap(([method, path]) => WRONG.map(([what, headers]) => [method, path, what, headers] as const));

  it.each(cases)('%s %s with %s is 401 with a basic-auth challenge', async (method, path, _what, headers) => {
    const answer = await ask(slipway, method, path, headers);

    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Basic realm="slipway queue dashboard", charset="UTF-8"');
    expect(answer.text).not.toContain('<html');
    expect(answer.text).not.toContain('failing-run');
  });

  it('answers the page and its static files to whoever has the credentials', async () => {
    const page = await ask(slipway, 'GET', '/admin/queues', basic(USER, PASSWORD));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('<base href="/admin/queues/"');
    expect(page.headers.get('x-powered-by')).toBeNull();

    const logo = await ask(slipway, 'GET', '/admin/queues/static/images/logo.svg', bearer(TOKEN));
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  });

  it("lists slipway's queues and the failed job of the runs queue with its error", async () => {
    const answer = await ask(slipway, 'GET', '/admin/queues/api/queues?activeQueue=runs&status=failed&page=1&jobsPerPage=10', bearer(TOKEN));

    expect(answer.status).toBe(200);
    const { queues } = JSON.parse(answer.text) as { queues: { name: string; readOnlyMode: boolean; counts: Record<string, number>; jobs: { id: string; failedReason?: string; stacktrace: string[] }[] }[] };
    expect(queues.map((q) => q.name).sort()).toEqual(['gates', 'notifications', 'runs']);
    const runs = queues.find((q) => q.name === 'runs');
    expect(runs?.readOnlyMode).toBe(true);
    expect(runs?.counts.failed).toBe(1);
    expect(runs?.jobs).toHaveLength(1);
    expect(runs?.jobs[0]).toMatchObject({ id: 'failing-run', failedReason: FAILURE });
    expect(runs?.jobs[0]?.stacktrace.join('\n')).toContain(FAILURE);
  });

  it('takes the token as the basic password too (what a browser sends)', async () => {
    expect((await ask(slipway, 'GET', '/admin/queues/api/queues', basic('anyone', TOKEN))).status).toBe(200);
  });

  it('refuses to retry or clean a job while read-only, and the job stays failed', async () => {
    const retry = await ask(slipway, 'PUT', '/admin/queues/api/queues/runs/failing-run/retry', bearer(TOKEN));
    const clean = await ask(slipway, 'PUT', '/admin/queues/api/queues/runs/failing-run/clean', bearer(TOKEN));

    expect(retry.status).toBe(405);
    expect(clean.status).toBe(405);
    expect(await slipway.queue.getJobState('failing-run')).toBe('failed');
  });

  it('does not add, edit or empty even where SLIPWAY_ADMIN_WRITE=true', async () => {
    const headers = { ...bearer(TOKEN), 'content-type': 'application/json' };
    const empty = await ask(writable, 'PUT', '/admin/queues/api/queues/runs/empty', headers);
    const obliterate = await ask(writable, 'PUT', '/admin/queues/api/queues/runs/obliterate', headers);
    const add = await fetch(`${writable.url}/admin/queues/api/queues/runs/add`, { method: 'POST', headers, body: JSON.stringify({ name: 'push', data: { runId: 'forged' } }) });

    expect([empty.status, obliterate.status, add.status]).toEqual([403, 403, 403]);
    expect(await slipway.queue.getJobCounts('failed', 'waiting')).toEqual({ failed: 1, waiting: 0 });
  });

  it('retries a failed job where SLIPWAY_ADMIN_WRITE=true', async () => {
    const retry = await ask(writable, 'PUT', '/admin/queues/api/queues/runs/failing-run/retry', bearer(TOKEN));

    expect(retry.status).toBe(204);
    // No worker takes it here: retried, it waits for one.
    expect(await slipway.queue.getJobState('failing-run')).toBe('waiting');
  });
});
