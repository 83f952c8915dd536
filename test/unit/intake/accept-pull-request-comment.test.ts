import { describe, expect, it } from 'vitest';
import type { PullRequests } from '../../../src/core/ports.js';
import type { PullRequest, PullRequestComment } from '../../../src/core/pull-request-comment.js';
import { acceptPullRequestComment } from '../../../src/intake/accept-pull-request-comment.js';
import { commandHarness, DEVELOPER, OTHER, sha } from '../commands/command-harness.js';

/** A host's pull request API in memory: the pull requests it knows, and the comments slipway wrote. */
function memoryPullRequests(pulls: Record<number, PullRequest>) {
  const comments: { id: number; number: number; body: string }[] = [];
  const api: PullRequests = {
    reaches: (host) => host === 'github',
    async read(_host, _fullName, number) {
      const pull = pulls[number];
      if (!pull) throw new Error(`GitHub answered 404 to pull request ${number}`);
      return pull;
    },
    async comment(_host, _fullName, number, body) {
      comments.push({ id: comments.length + 1, number, body });
      return comments.length;
    },
    async editComment(_host, _fullName, id, body) {
      const comment = comments.find((c) => c.id === id);
      if (!comment) throw new Error(`no comment ${id}`);
      comment.body = body;
    },
  };
  return { api, comments };
}

const pull = (number: number): PullRequest => ({
  number,
  open: true,
  title: 'Login page',
  author: 'dev',
  url: `https://github.com/acme/shop/pull/${number}`,
  head: { sha: sha('b'), ref: 'dev/feature-login', repoFullName: 'acme/shop' },
  base: { repoFullName: 'acme/shop' },
});

const event = (number: number, body = '/deploy', over: Partial<PullRequestComment> = {}): PullRequestComment => ({
  host: 'github',
  deliveryId: `d-${number}-${body}`,
  action: 'created',
  repo: { fullName: 'acme/shop', urls: ['https://github.com/acme/shop'] },
  number,
  isPullRequest: true,
  comment: { id: number * 10, body, author: 'dev' },
  ...over,
});

function scene() {
  const harness = commandHarness();
  const hosts = memoryPullRequests({ 1: pull(1), 2: pull(2), 3: pull(3) });
  const log = { info() {}, warn() {}, error() {}, debug() {}, child() { return log; } } as never;
  const accept = (e: PullRequestComment) => acceptPullRequestComment(e, { commands: harness.deps, pullRequests: hosts.api, runUrl: (id) => `https://slipway.example.com/runs/${id}`, log });
  return { ...harness, ...hosts, accept };
}

describe('acceptPullRequestComment', () => {
  it('starts the run through /deploy, triggered by the person, with the answer comment on it', async () => {
    const { accept, ports, comments } = scene();
    const answer = await accept(event(1));
    expect(answer).toEqual({ status: 202, body: { status: 'queued', runId: 'shop-run1' } });
    const run = await ports.runs.get('shop-run1');
    expect(run).toMatchObject({
      sha: sha('b'),
      branch: 'dev/feature-login',
      triggeredBy: { name: 'dev', username: DEVELOPER },
      source: { host: 'github', fullName: 'acme/shop' },
      pullRequest: { number: 1, by: 'dev', fork: false, answerId: 1 },
      target: { ephemeral: true },
    });
    expect(ports.queue.jobs).toEqual(['shop-run1']);
    expect(comments).toEqual([{ id: 1, number: 1, body: expect.stringContaining('run [`shop-run1`](https://slipway.example.com/runs/shop-run1)') }]);
    expect((await ports.audit.list('shop'))[0]).toMatchObject({ action: 'deploy', by: DEVELOPER, runId: 'shop-run1', detail: expect.stringContaining('from pull request #1') });
  });

  it('takes the lock of a named environment for the person, with a reminder', async () => {
    const { accept, ports, comments } = scene();
    expect((await accept(event(2, '/deploy staging'))).status).toBe(202);
    expect(await ports.locks.get('shop', 'staging')).toMatchObject({ by: DEVELOPER, reason: 'deploying pull request #2' });
    // The reminder /slipway lock schedules: after the service's lockReminderHours (4 by default).
    expect([...ports.gates.reminders.values()]).toEqual([{ lock: expect.objectContaining({ by: DEVELOPER }), at: new Date('2026-12-01T14:00:00Z') }]);
    expect(comments[0]?.body).toContain(':lock: slipway locked shop staging for @dev');
  });

  it("refuses while someone else holds the lock, naming them as people: knows them (or not)", async () => {
    const { accept, ports, comments } = scene();
    await ports.locks.take({ service: 'shop', environment: 'staging', by: OTHER, reason: 'load test', at: '2026-12-01T09:00:00Z' });
    expect(await accept(event(2, '/deploy staging'))).toMatchObject({ status: 200, body: { status: 'refused' } });
    expect(comments.map((c) => c.body)).toEqual([':no_entry: **slipway did not deploy this.** :lock: staging is locked by someone in Slack: load test. Nothing was started.']);
    expect(ports.queue.jobs).toEqual([]);
  });

  it('when the run cannot be queued: no run, the claims forgotten (a redelivery starts it), and the answer says so', async () => {
    const { accept, ports, comments } = scene();
    const enqueue = ports.queue.enqueue.bind(ports.queue);
    ports.queue.enqueue = async () => {
      throw new Error('Redis is down');
    };
    await expect(accept(event(3))).rejects.toThrow('Redis is down');
    expect(await ports.runs.listByService('shop', 10)).toEqual([]);
    expect(comments[0]?.body).toMatch(/^:no_entry: \*\*slipway did not deploy this\.\*\* the run could not be queued/);

    ports.queue.enqueue = enqueue;
    expect(await accept(event(3))).toMatchObject({ status: 202 });
    expect(ports.queue.jobs).toHaveLength(1);
  });

  it('answers with the run when only its audit line failed: it stays claimed, and a redelivery starts nothing', async () => {
    const { accept, ports, comments } = scene();
    ports.audit.record = async () => {
      throw new Error('Redis is down');
    };
    expect(await accept(event(1))).toEqual({ status: 202, body: { status: 'queued', runId: 'shop-run1' } });
    expect(comments[0]?.body).toMatch(/^:rocket: Deploying/);
    expect(await accept(event(1))).toMatchObject({ status: 200, body: { status: 'ignored' } });
    expect(ports.queue.jobs).toEqual(['shop-run1']);
  });

  it('ignores comments when slipway has no token for the host, before claiming anything', async () => {
    const { accept, comments } = scene();
    expect(await accept(event(1, '/deploy', { host: 'gitea' }))).toMatchObject({ status: 200, body: { status: 'ignored', reason: expect.stringContaining('no API token for gitea') } });
    expect(comments).toEqual([]);
  });
});
