import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gitHosts } from '../../../../src/adapters/git/git-hosts.js';
import type { WebhookSecret } from '../../../../src/core/ports.js';
import { ZERO_SHA, type GitHost } from '../../../../src/core/push-event.js';
import { deliveryHeaders, githubFormDelivery, githubPushExample, pushPayload } from '../../../helpers/webhook-deliveries.js';

const SECRET = 'unit-secret';
const secrets: WebhookSecret[] = [{ value: SECRET, name: 'TEST_SECRET' }];
const REPO = 'https://git.example.com/acme/discounts.git';

function receive(host: GitHost, body: string, headers: Record<string, string>) {
  return gitHosts[host]!.receive({ headers, body: Buffer.from(body) }, secrets);
}

describe.each(['gogs', 'gitea'] as const)('%s delete event', (host) => {
  it('is a deletion of the branch it names by its short name', async () => {
    const body = JSON.stringify(pushPayload(host, { repoUrl: REPO, ref: 'refs/heads/dev/feature-x', deleted: true }));
    const headers = deliveryHeaders(host, body, SECRET, { deliveryId: 'd-1' });
    expect(headers[`x-${host}-event` as keyof typeof headers]).toBe('delete');

    const verdict = await receive(host, body, headers);

    expect(verdict).toMatchObject({
      kind: 'push',
      event: {
        host,
        deliveryId: 'd-1',
        repo: { fullName: 'acme/discounts', urls: expect.arrayContaining([REPO]) },
        ref: 'refs/heads/dev/feature-x',
        before: ZERO_SHA,
        after: ZERO_SHA,
        deleted: true,
        commits: [],
        pusher: { name: 'Ann Example', username: 'ann', email: 'ann@example.com' },
        author: { name: 'Ann Example' },
      },
    });
  });

  it.each([
    ['a deleted tag is ignored', { ref: 'refs/tags/v1.2.0' }, { kind: 'ignored', reason: expect.stringMatching(/^tag deletions are not used/) }],
    ['a forged signature is refused before the body is read', { secret: 'not-the-secret' }, { kind: 'rejected', status: 401 }],
  ])('%s', async (_name, { ref = 'refs/heads/dev/feature-x', secret = SECRET }: { ref?: string; secret?: string }, expected) => {
    const body = JSON.stringify(pushPayload(host, { repoUrl: REPO, ref, deleted: true }));
    expect(await receive(host, body, deliveryHeaders(host, body, secret))).toMatchObject(expected);
  });

  it('refuses a delete payload without its ref type, naming the field', async () => {
    const payload = pushPayload(host, { repoUrl: REPO, deleted: true });
    delete payload.ref_type;
    const body = JSON.stringify(payload);
    expect(await receive(host, body, deliveryHeaders(host, body, SECRET, { event: 'delete' }))).toMatchObject({
      kind: 'rejected',
      status: 400,
      reason: expect.stringContaining(`not a ${host} delete payload: body.ref_type`),
    });
  });

  it('still ignores events slipway does not use', async () => {
    const body = JSON.stringify({ ref: 'feature-x', ref_type: 'branch' });
    expect(await receive(host, body, deliveryHeaders(host, body, SECRET, { event: 'create' }))).toEqual({ kind: 'ignored', reason: 'create events are not used' });
  });
});

describe('GitHub form-encoded delivery', () => {
  it('reads the JSON from the payload field, verified over the form body as sent', async () => {
    const push = githubPushExample();
    const { body, headers } = githubFormDelivery(push, SECRET, { deliveryId: 'f-1' });
    expect(body).toMatch(/^payload=%7B/);

    expect(await receive('github', body, headers)).toMatchObject({ kind: 'push', event: { host: 'github', deliveryId: 'f-1', ref: push.ref, after: push.after } });
  });

  it.each([
    // What a forger who signs the JSON instead of the form body sends: the HMAC is over the bytes on the wire.
    ['signed over the JSON, not the form body', (json: string) => createHmac('sha256', SECRET).update(json).digest('hex'), 401],
    ['signed with another secret', (_json: string, form: string) => createHmac('sha256', 'other').update(form).digest('hex'), 401],
  ] as const)('refuses a form %s', async (_name, sign, status) => {
    const json = JSON.stringify(githubPushExample());
    const { body, headers } = githubFormDelivery(JSON.parse(json), SECRET);
    const forged = { ...headers, 'x-hub-signature-256': `sha256=${sign(json, body)}` };
    expect(await receive('github', body, forged)).toMatchObject({ kind: 'rejected', status });
  });

  it('answers 400 for a form with no payload field', async () => {
    const body = 'hook=1';
    const headers = { ...deliveryHeaders('github', body, SECRET), 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    expect(await receive('github', body, headers)).toMatchObject({ kind: 'rejected', status: 400, reason: expect.stringMatching(/no payload field/) });
  });
});
