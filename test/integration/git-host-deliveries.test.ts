import { createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ephemeralEnvName } from '../../src/core/naming.js';
import type { GitHost } from '../../src/core/push-event.js';
import { useSlackStack } from '../helpers/slack-stack.js';
import { DISCOUNTS_REPO, SECRETS } from '../helpers/test-slipway.js';
import { deliveryHeaders, githubFormDelivery, pushPayload } from '../helpers/webhook-deliveries.js';

// Deliveries as the hosts really send them: Gogs and Gitea announce a deleted branch with a `delete` event
// (no push), and GitHub may be set to send its JSON form-encoded. The server only queues runs here.
const service = (name: string, url: string, port: number) => `
  ${name}:
    repo: ${url}
    testTarget: test
    image: 127.0.0.1:5000/slipway-hosts-${name}
    network: host
    channel: "#${name}"
    branches:
      - { match: main, deploy: staging }
      - { match: "dev/feature*", deploy: ephemeral }
    environments:
      - { name: staging, port: ${port} }
    ephemeral: { ports: ${port + 1}-${port + 20} }
`;

// The server alone, without Slack: queued runs stay queued.
const stack = useSlackStack({
  config: (repoUrl) => `services:${service('discounts', DISCOUNTS_REPO, 22300)}${service('sample', repoUrl, 22330)}`,
  mode: 'server',
  slack: false,
});

async function post(host: GitHost, body: string, headers: Record<string, string>) {
  const res = await fetch(`${stack.slipway.url}/webhooks/${host}`, { method: 'POST', body, headers });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

const runCount = async (name = 'discounts') => (await stack.slipway.runs.listByService(name, 1000)).length;
const uniqueSha = () => randomUUID().replace(/-/g, '').padEnd(40, 'a').slice(0, 40);

describe('a branch deleted on Gogs, with real git and the sample repository’s hook', () => {
  it('tears down the ephemeral environment the branch had', async () => {
    await stack.repo.checkout('dev/feature-gone', { create: true });
    await stack.repo.commit({ 'www/version': 'feature\n' }, 'A feature');
    const pushed = await stack.repo.push('dev/feature-gone');
    const deleted = await stack.repo.push(':dev/feature-gone');

    const environment = ephemeralEnvName('sample', 'dev/feature-gone');
    expect(pushed.runId, pushed.output).toBeDefined();
    expect(deleted.runId, deleted.output).toBeDefined();
    expect(await stack.slipway.runs.get(deleted.runId!)).toMatchObject({
      trigger: 'delete',
      branch: 'dev/feature-gone',
      target: { environment, ephemeral: true },
      stages: [expect.objectContaining({ name: `teardown:${environment}` })],
    });
    const received = stack.slipway.logs.filter((l) => l.msg === 'webhook accepted').map((l) => l.ref);
    expect(received).toEqual(expect.arrayContaining(['refs/heads/dev/feature-gone']));
  });
});

describe.each(['gogs', 'gitea'] as const)('%s delete event', (host) => {
  const secret = SECRETS.GOGS_WEBHOOK_SECRET;
  const ref = `refs/heads/dev/feature-${host}-delete`;
  const environment = ephemeralEnvName('discounts', `dev/feature-${host}-delete`);
  const deletion = () => JSON.stringify(pushPayload(host, { repoUrl: DISCOUNTS_REPO, ref, deleted: true }));

  it('is verified and deduplicated, then starts one teardown', async () => {
    const pushBody = JSON.stringify(pushPayload(host, { repoUrl: DISCOUNTS_REPO, ref, after: uniqueSha() }));
    expect((await post(host, pushBody, deliveryHeaders(host, pushBody, secret))).status).toBe(202);
    const body = deletion();
    const before = await runCount();

    const forged = await post(host, body, deliveryHeaders(host, body, 'not-the-secret'));
    const headers = deliveryHeaders(host, body, secret);
    const first = await post(host, body, headers);
    const again = await post(host, body, headers);

    expect(headers[`x-${host}-event` as keyof typeof headers]).toBe('delete');
    expect(forged.status).toBe(401);
    expect(first.status).toBe(202);
    expect(again.json).toEqual(first.json);
    expect(await runCount()).toBe(before + 1);
    expect(await stack.slipway.runs.get(first.json.runId)).toMatchObject({ trigger: 'delete', target: { environment, ephemeral: true } });
  });

  it('tears the branch down again when it is made anew and deleted again (a new delivery of the same body)', async () => {
    const body = deletion();
    const before = await runCount();
    const answer = await post(host, body, deliveryHeaders(host, body, secret));
    expect(answer.status).toBe(202);
    expect(await runCount()).toBe(before + 1);
    expect(await stack.slipway.runs.get(answer.json.runId)).toMatchObject({ trigger: 'delete', target: { environment } });
  });

  it('ignores a deleted tag', async () => {
    const body = JSON.stringify(pushPayload(host, { repoUrl: DISCOUNTS_REPO, ref: 'refs/tags/v1.0.0', deleted: true }));
    const before = await runCount();
    const answer = await post(host, body, deliveryHeaders(host, body, secret));
    expect(answer).toEqual({ status: 200, json: { status: 'ignored', reason: expect.stringMatching(/^tag deletions are not used/) } });
    expect(await runCount()).toBe(before);
  });
});

describe('GitHub webhook set to application/x-www-form-urlencoded', () => {
  it('queues a run for a signed form delivery, once', async () => {
    const sha = uniqueSha();
    const { body, headers } = githubFormDelivery(pushPayload('github', { repoUrl: DISCOUNTS_REPO, after: sha }), SECRETS.GITHUB_WEBHOOK_SECRET);

    const first = await post('github', body, headers);
    const again = await post('github', body, headers);

    expect(first).toMatchObject({ status: 202, json: { status: 'queued', runId: expect.stringMatching(/^discounts-/) } });
    expect(again.json).toEqual(first.json);
    expect(await stack.slipway.runs.get(first.json.runId)).toMatchObject({ trigger: 'push', branch: 'main', sha });
  });

  it.each([
    ['signed over the JSON inside it rather than the form body', (json: string) => createHmac('sha256', SECRETS.GITHUB_WEBHOOK_SECRET).update(json).digest('hex')],
    ['signed with another secret', (_json: string, form: string) => createHmac('sha256', 'not-the-secret').update(form).digest('hex')],
  ])('refuses a forged form delivery %s with 401', async (_name, sign) => {
    const payload = pushPayload('github', { repoUrl: DISCOUNTS_REPO, after: uniqueSha() });
    const { body, headers } = githubFormDelivery(payload, SECRETS.GITHUB_WEBHOOK_SECRET);
    const before = await runCount();

    const answer = await post('github', body, { ...headers, 'x-hub-signature-256': `sha256=${sign(JSON.stringify(payload), body)}` });

    expect(answer.status).toBe(401);
    expect(answer.json.error).toMatch(/does not match/);
    expect(await runCount()).toBe(before);
  });
});
