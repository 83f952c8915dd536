import { describe, expect, it } from 'vitest';
import { gitHosts } from '../../../../src/adapters/git/git-hosts.js';
import type { WebhookSecret } from '../../../../src/core/ports.js';
import { commentPayload, deliveryHeaders, pullRequestPayload } from '../../../helpers/webhook-deliveries.js';

const SECRET = 'unit-secret';
const secrets: WebhookSecret[] = [{ value: SECRET, name: 'TEST_SECRET' }];
const REPO = 'https://git.example.com/acme/discounts.git';

function receive(host: 'github' | 'gitea' | 'gogs', body: string, headers: Record<string, string>) {
  return gitHosts[host].receive({ headers, body: Buffer.from(body) }, secrets);
}

describe.each(['github', 'gitea'] as const)('%s issue_comment', (host) => {
  it('is a pull request comment: number, comment id, body and author', async () => {
    const body = JSON.stringify(commentPayload(host, { repoUrl: REPO, number: 4, commentId: 112, body: '/deploy staging', author: 'ann' }));
    const headers = deliveryHeaders(host, body, SECRET, { deliveryId: 'c-1' });
    expect(headers[`x-${host}-event` as keyof typeof headers]).toBe('issue_comment');

    expect(await receive(host, body, headers)).toEqual({
      kind: 'comment',
      signedWith: secrets,
      event: {
        host,
        deliveryId: 'c-1',
        action: 'created',
        repo: { fullName: 'acme/discounts', urls: expect.arrayContaining([REPO]) },
        number: 4,
        isPullRequest: true,
        comment: { id: 112, body: '/deploy staging', author: 'ann' },
      },
    });
  });

  it('says when the comment is on a plain issue, and when it was edited', async () => {
    const body = JSON.stringify(commentPayload(host, { repoUrl: REPO, pullRequest: false, action: 'edited' }));
    expect(await receive(host, body, deliveryHeaders(host, body, SECRET))).toMatchObject({ kind: 'comment', event: { isPullRequest: false, action: 'edited' } });
  });

  it('checks the signature before anything in the body', async () => {
    const body = JSON.stringify(commentPayload(host, { repoUrl: REPO }));
    const verdict = await receive(host, body, deliveryHeaders(host, body, 'another secret'));
    expect(verdict).toMatchObject({ kind: 'rejected', status: 401 });
  });

  it('refuses a payload without what slipway reads, naming the field', async () => {
    const payload = commentPayload(host, { repoUrl: REPO });
    delete payload.comment.id;
    const body = JSON.stringify(payload);
    expect(await receive(host, body, deliveryHeaders(host, body, SECRET))).toMatchObject({ kind: 'rejected', status: 400, reason: expect.stringContaining('comment.id') });
  });
});

describe.each(['github', 'gitea'] as const)('%s pull_request', (host) => {
  it('is a closed pull request, by whom', async () => {
    const body = JSON.stringify(pullRequestPayload(host, { repoUrl: REPO, number: 5, sender: 'bob' }));
    const headers = deliveryHeaders(host, body, SECRET, { deliveryId: 'p-1' });
    expect(headers[`x-${host}-event` as keyof typeof headers]).toBe('pull_request');
    expect(await receive(host, body, headers)).toEqual({
      kind: 'comment',
      signedWith: secrets,
      event: { host, deliveryId: 'p-1', closed: true, repo: { fullName: 'acme/discounts', urls: expect.arrayContaining([REPO]) }, number: 5, by: 'bob' },
    });
  });

  it('is not used for any other action', async () => {
    const body = JSON.stringify(pullRequestPayload(host, { repoUrl: REPO, action: 'opened' }));
    expect(await receive(host, body, deliveryHeaders(host, body, SECRET))).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('pull request opened events are not used') });
  });
});

describe('gogs issue_comment', () => {
  it('is not used: Gogs has no pull request API to read the head from', async () => {
    const body = JSON.stringify(commentPayload('gitea', { repoUrl: REPO }));
    expect(await receive('gogs', body, deliveryHeaders('gogs', body, SECRET))).toEqual({ kind: 'ignored', reason: 'issue_comment events are not used' });
  });
});
