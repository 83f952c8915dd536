import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitHost } from '../../src/core/push-event.js';
import { ephemeralEnvName } from '../../src/core/naming.js';
import { deliveryHeaders, githubPingExample, githubPushExample, pushPayload } from '../helpers/webhook-deliveries.js';
import { scrape } from '../helpers/prometheus.js';
import { DISCOUNTS_REPO, SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';

const SECRET_OF: Record<GitHost, string> = {
  github: SECRETS.GITHUB_WEBHOOK_SECRET,
  gogs: SECRETS.GOGS_WEBHOOK_SECRET,
  gitea: SECRETS.GOGS_WEBHOOK_SECRET,
  gitlab: SECRETS.GITLAB_WEBHOOK_TOKEN,
};
const AUTHOR: Record<GitHost, string> = { github: 'Codertocat', gogs: 'Ann Example', gitea: 'Ann Example', gitlab: 'Ann Example' };

let slipway: TestSlipway;
beforeAll(async () => {
  slipway = await startTestSlipway();
});
afterAll(async () => {
  await slipway?.stop();
});

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${slipway.url}${path}`, { method: 'POST', body, headers });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as Record<string, any> };
}

function deliver(host: GitHost, payload: unknown, options: { secret?: string; deliveryId?: string; event?: string } = {}) {
  const body = JSON.stringify(payload);
  return post(`/webhooks/${host}`, body, deliveryHeaders(host, body, options.secret ?? SECRET_OF[host], options));
}

const runCount = async () => (await slipway.runs.listByService('discounts', 1000)).length;
const uniqueSha = () => randomUUID().replace(/-/g, '').padEnd(40, 'a').slice(0, 40);

describe.each(['github', 'gogs', 'gitea', 'gitlab'] as const)('%s push webhook', (host) => {
  it('queues a run in Redis for a push to main', async () => {
    const sha = uniqueSha();
    const answer = await deliver(host, pushPayload(host, { repoUrl: DISCOUNTS_REPO, after: sha }));

    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ status: 'queued', runId: expect.stringMatching(/^discounts-/) });
    const run = await slipway.runs.get(answer.json.runId);
    expect(run).toMatchObject({
      service: 'discounts',
      trigger: 'push',
      branch: 'main',
      sha,
      status: 'queued',
      target: { environment: 'staging', ephemeral: false },
      author: { name: AUTHOR[host] },
    });
    expect(run?.stages.map((s) => s.name)).toEqual([
      'checkout', 'test', 'coverage', 'build', 'push', 'deploy:staging', 'approval:production', 'deploy:production',
    ]);
    const job = await slipway.queue.getJob(answer.json.runId);
    expect(job?.data).toEqual({ runId: answer.json.runId });
  });

  it('refuses a delivery signed with another secret', async () => {
    const before = await runCount();
    const answer = await deliver(host, pushPayload(host, { repoUrl: DISCOUNTS_REPO }), { secret: 'not-the-secret' });
    expect(answer.status).toBe(401);
    expect(answer.json.error).toMatch(/does not match/);
    expect(await runCount()).toBe(before);
  });

  it('refuses a delivery with no signature', async () => {
    const body = JSON.stringify(pushPayload(host, { repoUrl: DISCOUNTS_REPO }));
    const headers: Record<string, string> = deliveryHeaders(host, body, SECRET_OF[host]);
    for (const name of ['x-hub-signature-256', 'x-gogs-signature', 'x-gitea-signature', 'x-gitlab-token']) delete headers[name];
    const answer = await post(`/webhooks/${host}`, body, headers);
    expect(answer.status).toBe(401);
    expect(answer.json.error).toMatch(/missing/);
  });

  it('answers 400 naming the missing event header', async () => {
    const body = JSON.stringify(pushPayload(host, { repoUrl: DISCOUNTS_REPO }));
    const headers: Record<string, string> = deliveryHeaders(host, body, SECRET_OF[host]);
    for (const name of ['x-github-event', 'x-gogs-event', 'x-gitea-event', 'x-gitlab-event']) delete headers[name];
    const answer = await post(`/webhooks/${host}`, body, headers);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/missing x-[a-z]+-event header/);
  });

  it('without a delivery id header: 400, except GitLab, whose older versions send none and are told apart by body', async () => {
    const body = JSON.stringify(pushPayload(host, { repoUrl: DISCOUNTS_REPO, after: uniqueSha() }));
    const headers: Record<string, string> = deliveryHeaders(host, body, SECRET_OF[host]);
    for (const name of ['x-github-delivery', 'x-gogs-delivery', 'x-gitea-delivery', 'x-gitlab-event-uuid']) delete headers[name];
    const first = await post(`/webhooks/${host}`, body, headers);
    if (host === 'gitlab') {
      const count = await runCount();
      const again = await post(`/webhooks/${host}`, body, headers);
      expect(first.status).toBe(202);
      expect(again.json).toEqual(first.json);
      expect(await runCount()).toBe(count);
    } else {
      expect(first.status).toBe(400);
      expect(first.json.error).toBe('missing delivery id header');
    }
  });

  it('answers 400 for truncated JSON, without a stack trace', async () => {
    const body = JSON.stringify(pushPayload(host, { repoUrl: DISCOUNTS_REPO })).slice(0, 200);
    const answer = await post(`/webhooks/${host}`, body, deliveryHeaders(host, body, SECRET_OF[host]));
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/body is not JSON/);
    expect(answer.text).not.toMatch(/\n\s+at /);
  });

  it('answers 400 naming the field of a wrong type', async () => {
    const payload = pushPayload(host, { repoUrl: DISCOUNTS_REPO });
    payload.after = 12345;
    const answer = await deliver(host, payload);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toContain('body.after');
  });

  it('starts one run for a redelivered push and gives the first answer again', async () => {
    const payload = pushPayload(host, { repoUrl: DISCOUNTS_REPO, after: uniqueSha() });
    const deliveryId = randomUUID();
    const first = await deliver(host, payload, { deliveryId });
    const countAfterFirst = await runCount();
    const second = await deliver(host, payload, { deliveryId });

    expect(second.status).toBe(202);
    expect(second.json).toEqual(first.json);
    expect(await runCount()).toBe(countAfterFirst);
  });

  it('ignores a push from a repository no service is built from', async () => {
    const before = await runCount();
    const answer = await deliver(host, pushPayload(host, { repoUrl: 'http://git.example.com/acme/unknown.git' }));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'ignored', reason: expect.stringMatching(/no service .* is built from/) });
    expect(await runCount()).toBe(before);
  });

  it('routes a feature branch to its ephemeral environment, and its deletion to a teardown', async () => {
    const ref = `refs/heads/dev/feature-${host}`;
    const pushed = await deliver(host, pushPayload(host, { repoUrl: DISCOUNTS_REPO, ref, after: uniqueSha() }));
    const deleted = await deliver(host, pushPayload(host, { repoUrl: DISCOUNTS_REPO, ref, deleted: true }));

    const environment = ephemeralEnvName('discounts', `dev/feature-${host}`);
    expect((await slipway.runs.get(pushed.json.runId))?.target).toEqual({ environment, ephemeral: true });
    const teardown = await slipway.runs.get(deleted.json.runId);
    expect(teardown).toMatchObject({ trigger: 'delete', target: { environment, ephemeral: true } });
    expect(teardown?.stages.map((s) => s.name)).toEqual([`teardown:${environment}`]);
  });

  it('ignores a branch with no route', async () => {
    const answer = await deliver(host, pushPayload(host, { repoUrl: DISCOUNTS_REPO, ref: 'refs/heads/experiment' }));
    expect(answer.status).toBe(200);
    expect(answer.json.reason).toMatch(/matches no entry in its branches/);
  });
});

describe('webhook edge cases', () => {
  it('ignores GitHub tag pushes and pings', async () => {
    const tag = githubPushExample();
    Object.assign(tag, { ref: 'refs/tags/v1.0.0' });
    tag.repository.clone_url = DISCOUNTS_REPO;
    expect((await deliver('github', tag)).json).toMatchObject({ status: 'ignored', reason: expect.stringMatching(/not a branch/) });
    const ping = await deliver('github', githubPingExample(), { event: 'ping' });
    expect(ping.status).toBe(200);
    expect(ping.json).toMatchObject({ status: 'ignored', reason: 'ping events are not used' });
  });

  it('answers 413 to a body over the size limit', async () => {
    const body = JSON.stringify({ padding: 'x'.repeat(6 * 1024 * 1024) });
    const answer = await post('/webhooks/github', body, deliveryHeaders('github', body, SECRETS.GITHUB_WEBHOOK_SECRET));
    expect(answer.status).toBe(413);
  });

  it('answers 404 for an unknown host and 405 for a GET', async () => {
    const unknown = await post('/webhooks/bitbucket', '{}', { 'content-type': 'application/json' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toContain('github, gogs, gitea, gitlab');
    expect((await fetch(`${slipway.url}/webhooks/github`)).status).toBe(405);
  });

  it('logs each delivery as a structured line without the secret', async () => {
    const deliveryId = randomUUID();
    await deliver('gitlab', pushPayload('gitlab', { repoUrl: DISCOUNTS_REPO, after: uniqueSha() }), { deliveryId });
    const line = slipway.logs.find((l) => l.deliveryId === deliveryId);
    expect(line).toMatchObject({ msg: 'webhook accepted', webhook: 'gitlab', status: 'queued' });
    expect(JSON.stringify(slipway.logs)).not.toContain(SECRETS.GITLAB_WEBHOOK_TOKEN);
  });
});

describe('webhook metrics', () => {
  it('counts deliveries by host and answer, and shows queue depth, in Prometheus text', async () => {
    const metrics = await scrape(slipway.url);
    expect(metrics.value('slipway_webhooks_total', { host: 'github', result: '202' })).toBeGreaterThanOrEqual(1);
    expect(metrics.value('slipway_webhooks_total', { host: 'gitlab', result: '401' })).toBeGreaterThanOrEqual(1);
    expect(metrics.value('slipway_webhooks_total', { host: 'github', result: '413' })).toBe(1);
    expect(metrics.value('slipway_webhooks_total', { host: 'unknown', result: '404' })).toBe(1);
    // The server runs no workers here, so every queued run is still waiting.
    const waiting = metrics.value('slipway_queue_jobs', { queue: 'runs', state: 'waiting' });
    expect(waiting).toBe((await slipway.queue.getJobCounts('waiting')).waiting);
    expect(waiting).toBeGreaterThan(0);
    expect(metrics.families.some((f) => f.name === 'process_resident_memory_bytes')).toBe(true);
  });
});

describe('webhooks when slipway is not ready for them', () => {
  it('answers 503 when the host has no secret configured', async () => {
    const bare = await startTestSlipway({ env: { GITLAB_WEBHOOK_TOKEN: '' } });
    try {
      const body = JSON.stringify(pushPayload('gitlab', { repoUrl: DISCOUNTS_REPO }));
      const res = await fetch(`${bare.url}/webhooks/gitlab`, { method: 'POST', body, headers: deliveryHeaders('gitlab', body, 'x') });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: string }).error).toContain('GITLAB_WEBHOOK_TOKEN');
    } finally {
      await bare.stop();
    }
  });

  it('answers 503 (so the host redelivers) when Redis is down, and /readyz says why', async () => {
    const lonely = await startTestSlipway();
    try {
      await lonely.redisServer.stop();
      const body = JSON.stringify(pushPayload('gogs', { repoUrl: DISCOUNTS_REPO }));
      const res = await fetch(`${lonely.url}/webhooks/gogs`, { method: 'POST', body, headers: deliveryHeaders('gogs', body, SECRETS.GOGS_WEBHOOK_SECRET) });
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/redeliver/);
      const ready = await fetch(`${lonely.url}/readyz`);
      expect(ready.status).toBe(503);
      // A `slipway server` builds and deploys nothing: its readiness is Redis's alone.
      expect(((await ready.json()) as { checks: Record<string, string> }).checks).toEqual({ redis: expect.not.stringMatching(/^ok$/) });
    } finally {
      await lonely.stop();
    }
  });
});
