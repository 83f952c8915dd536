import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisLockStore } from '../../src/adapters/store/redis-lock-store.js';
import { RedisPortStore } from '../../src/adapters/store/redis-port-store.js';
import { ephemeralEnvName } from '../../src/core/naming.js';
import { FakeGitea } from '../fakes/fake-gitea.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { served, until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';
import { SECRETS } from '../helpers/test-slipway.js';
import { type CommentOptions, commentPayload, deliveryHeaders, pullRequestPayload } from '../helpers/webhook-deliveries.js';

const GITHUB_TOKEN = 'ghp_pull_request_deploys_token';
const GITEA_TOKEN = 'gitea_pull_request_deploys_token';
const REPO_URL = 'https://github.com/acme/prs.git';
const GITEA_REPO_URL = 'https://gitea.example.com/acme/gitea-prs.git';
const FEATURE = 'dev/feature-pr';
const STAGING = 26200;

// Two services built from the sample repository, named after a GitHub and a Gitea repository: comments come as
// those hosts' webhooks, and the hosts' fakes answer for the pull requests. ann and bob are known people.
const config = (cloneUrl: string) =>
  `${sampleConfig(
    {
      service: 'prs',
      repoUrl: REPO_URL,
      cloneUrl,
      image: 'slipway-e2e-prs',
      branches: [{ match: 'main', deploy: 'staging' }],
      staging: STAGING,
      production: { port: 26202, approvers: { users: ['U0BOB'] } },
      ephemeral: { ports: '26210-26219', healthTimeoutSeconds: 5 },
    },
    {
      service: 'gitea-prs',
      repoUrl: GITEA_REPO_URL,
      cloneUrl,
      image: 'slipway-e2e-prs',
      staging: 26201,
      ephemeral: { ports: '26220-26229', healthTimeoutSeconds: 5 },
      pullRequests: { forks: true },
    },
  )}people:\n  U0ANN: { usernames: [ann] }\n  U0BOB: { usernames: [bob] }\n`;

const github = new FakeGitHub(GITHUB_TOKEN);
const gitea = new FakeGitea(GITEA_TOKEN);
beforeAll(() => Promise.all([github.start(), gitea.start()]));
afterAll(() => Promise.all([github.stop(), gitea.stop()]));
afterEach(() => {
  expect(github.problems).toEqual([]);
  expect(gitea.problems).toEqual([]);
});

let featureSha = '';
const stack = useSlackStack({
  config,
  // main, and a feature branch one commit ahead of it: the pull request's head.
  prepare: async (repo) => {
    await repo.push('main');
    await repo.checkout(FEATURE, { create: true });
    featureSha = await repo.commit({ 'www/version': 'pr-1\n' }, 'Serve the pull request version');
    await repo.push(FEATURE);
    await repo.checkout('main');
  },
  env: () => ({ GITHUB_TOKEN, GITHUB_API_URL: github.url, GITEA_TOKEN, GITEA_API_URL: gitea.apiUrl, SLIPWAY_PUBLIC_URL: 'https://slipway.example.com' }),
});

type Delivery = { status: number; body: { status: string; runId?: string; reason?: string } };

async function comment(host: 'github' | 'gitea', options: Omit<CommentOptions, 'repoUrl'>, deliveryId?: string): Promise<Delivery & { deliveryId: string; raw: string }> {
  const raw = JSON.stringify(commentPayload(host, { repoUrl: host === 'github' ? REPO_URL : GITEA_REPO_URL, ...options }));
  const secret = host === 'github' ? SECRETS.GITHUB_WEBHOOK_SECRET : SECRETS.GOGS_WEBHOOK_SECRET;
  const headers = deliveryHeaders(host, raw, secret, deliveryId ? { deliveryId } : {});
  const id = host === 'github' ? headers['x-github-delivery' as keyof typeof headers] : headers['x-gitea-delivery' as keyof typeof headers];
  const res = await fetch(`${stack.slipway.url}/webhooks/${host}`, { method: 'POST', body: raw, headers });
  return { status: res.status, body: (await res.json()) as Delivery['body'], deliveryId: String(id), raw };
}

/** GitHub or Gitea says the pull request was closed. */
async function close(host: 'github' | 'gitea', number: number, deliveryId?: string): Promise<Delivery & { raw: string; deliveryId: string }> {
  const raw = JSON.stringify(pullRequestPayload(host, { repoUrl: host === 'github' ? REPO_URL : GITEA_REPO_URL, number, sender: 'bob' }));
  const secret = host === 'github' ? SECRETS.GITHUB_WEBHOOK_SECRET : SECRETS.GOGS_WEBHOOK_SECRET;
  const headers = deliveryHeaders(host, raw, secret, deliveryId ? { deliveryId } : {});
  const res = await fetch(`${stack.slipway.url}/webhooks/${host}`, { method: 'POST', body: raw, headers });
  return { status: res.status, body: (await res.json()) as Delivery['body'], raw, deliveryId: String(Object.entries(headers).find(([k]) => k.endsWith('-delivery'))?.[1]) };
}

const openPull = (number: number, head: { sha?: string; ref?: string; repo?: string | null } = {}) => ({
  number,
  state: 'open' as const,
  user: 'ann',
  head: { sha: head.sha ?? featureSha, ref: head.ref ?? FEATURE, repo: head.repo === undefined ? 'acme/prs' : head.repo },
  base: { repo: 'acme/prs' },
});

const runsOf = async (service: string) => (await stack.slipway.runs.listByService(service, 100)).map((r) => r.id).sort();

/** The pull request's one answer, once it reads as `pattern`. */
const answerOn = (fake: FakeGitHub | FakeGitea, fullName: string, number: number, pattern: RegExp) =>
  until(async () => {
    const bodies = fake.pulls.on(fullName, number);
    return bodies.some((b) => pattern.test(b)) ? bodies : undefined;
  }, `the answer on ${fullName}#${number} to read ${pattern}`);

describe('/deploy on a GitHub pull request', { timeout: 180_000 }, () => {
  it("deploys the pull request's head to its ephemeral environment, answering with the run link, then the outcome", async () => {
    github.pulls.set('acme/prs', openPull(4));
    const delivery = await comment('github', { number: 4, commentId: 401, body: '/deploy', author: 'ann' });
    expect(delivery).toMatchObject({ status: 202, body: { status: 'queued', runId: expect.stringMatching(/^prs-/) } });
    const runId = delivery.body.runId!;

    const run = await stack.watch.settled(runId, { status: 'passed' });
    expect(run).toMatchObject({ sha: featureSha, branch: FEATURE, trigger: 'deploy', target: { environment: ephemeralEnvName('prs', FEATURE), ephemeral: true } });
    expect(run.pullRequest).toMatchObject({ number: 4, by: 'ann', fork: false, answerId: expect.any(Number) });
    expect(run.triggeredBy).toEqual({ name: 'ann', username: 'U0ANN' });
    const port = await new RedisPortStore(stack.slipway.redis).get('prs', run.target.environment);
    expect(await served(port!)).toBe('pr-1');

    // One comment: first the run and its link, then edited in place with the outcome.
    const [answer] = await answerOn(github, 'acme/prs', 4, /:white_check_mark: deployed/);
    expect(github.pulls.on('acme/prs', 4)).toHaveLength(1);
    const posted = github.pulls.comments.find((c) => c.id === run.pullRequest?.answerId)!;
    expect(posted.edits[0]).toMatch(new RegExp(`^:rocket: Deploying \`${featureSha.slice(0, 7)}\` to \\*\\*${run.target.environment}\\*\\* for @ann: run \\[\`${runId}\`\\]\\(https://slipway\\.example\\.com/runs/${runId}\\?sig=[0-9a-f]{32}\\)`));
    expect(answer).toContain(`run [\`${runId}\`](https://slipway.example.com/runs/${runId}?sig=`);
    // The channel's run message says where it came from and who asked.
    expect(stack.watch.lastRunMessage(runId)).toContain('from <https://github.com/acme/prs/pull/4|PR #4> by ann');
  });

  it('deploys to staging when asked, with the staging lock taken for the person', async () => {
    github.pulls.set('acme/prs', openPull(5));
    const delivery = await comment('github', { number: 5, commentId: 501, body: '/deploy staging', author: 'ann' });
    expect(delivery).toMatchObject({ status: 202, body: { status: 'queued' } });
    const run = await stack.watch.settled(delivery.body.runId!, { status: 'passed' });

    expect(run.stages.filter((s) => s.name.startsWith('deploy:')).map((s) => s.name)).toEqual(['deploy:staging']);
    expect(await served(STAGING)).toBe('pr-1');
    expect(await new RedisLockStore(stack.slipway.redis).get('prs', 'staging')).toMatchObject({ by: 'U0ANN', reason: 'deploying pull request #5' });
    const [answer] = await answerOn(github, 'acme/prs', 5, /:white_check_mark: deployed/);
    expect(github.pulls.comments.find((c) => c.issue === 5)?.edits[0]).toContain(':lock: slipway locked prs staging for @ann');
    expect(answer).toContain('to **staging**');
  });

  it("refuses /deploy staging while someone else holds staging's lock, starting nothing", async () => {
    // ann holds it from the test before; bob asks.
    github.pulls.set('acme/prs', openPull(6));
    const before = await runsOf('prs');
    const delivery = await comment('github', { number: 6, commentId: 601, body: '/deploy staging', author: 'bob' });
    expect(delivery).toMatchObject({ status: 200, body: { status: 'refused', reason: expect.stringContaining('staging is locked by <@U0ANN>') } });
    expect(github.pulls.on('acme/prs', 6)).toEqual([':no_entry: **slipway did not deploy this.** :lock: staging is locked by @ann: deploying pull request #5. Nothing was started.']);
    expect(await runsOf('prs')).toEqual(before);
  });

  it.each([
    ['an unknown commenter', { number: 7, commentId: 701, author: 'mallory' }, undefined, /slipway does not know who @mallory is/],
    ['a closed pull request', { number: 8, commentId: 801 }, { ...openPullLater(8), state: 'closed' as const }, /pull request #8 is closed/],
    ['a fork', { number: 9, commentId: 901 }, { ...openPullLater(9), head: { sha: 'b'.repeat(40), ref: 'main', repo: 'mallory/prs' } }, /comes from a fork \(mallory\/prs\), and prs does not deploy forks' code/],
    ['an edited comment', { number: 10, commentId: 1001, action: 'edited' as const }, undefined, /an edited comment starts nothing/],
  ])('answers %s in the pull request and starts nothing', async (_, options, pull, reason) => {
    if (pull) github.pulls.set('acme/prs', pull);
    else github.pulls.set('acme/prs', openPull(options.number)); // commented on, but never read
    const before = await runsOf('prs');
    const readsBefore = github.pulls.reads.length;

    const delivery = await comment('github', { body: '/deploy', ...options });

    expect(delivery).toMatchObject({ status: 200, body: { status: 'refused', reason: expect.stringMatching(reason) } });
    const answers = github.pulls.on('acme/prs', options.number);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatch(/^:no_entry: \*\*slipway did not deploy this\.\*\* /);
    expect(answers[0]).toMatch(reason);
    expect(await runsOf('prs')).toEqual(before);
    // Who may not deploy is refused before the host is asked anything about the pull request.
    if (!pull) expect(github.pulls.reads.length).toBe(readsBefore);
  });

  it('answers an edited comment once, whatever its later edits', async () => {
    // Comment 1001 on #10 was edited in the test before, and answered.
    const again = await comment('github', { number: 10, commentId: 1001, body: '/deploy staging', action: 'edited' });
    expect(again).toMatchObject({ status: 200, body: { status: 'ignored', reason: expect.stringContaining('handled already') } });
    expect(github.pulls.on('acme/prs', 10)).toHaveLength(1);
  });

  it('starts nothing on a redelivery: the same delivery, or the same comment under a new delivery id', async () => {
    github.pulls.set('acme/prs', openPull(11));
    const first = await comment('github', { number: 11, commentId: 1101, body: '/deploy' });
    expect(first.status).toBe(202);
    await stack.watch.settled(first.body.runId!, { status: 'passed' });
    const runs = await runsOf('prs');
    const comments = github.pulls.comments.length;

    const again = await fetch(`${stack.slipway.url}/webhooks/github`, { method: 'POST', body: first.raw, headers: deliveryHeaders('github', first.raw, SECRETS.GITHUB_WEBHOOK_SECRET, { deliveryId: first.deliveryId }) });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'ignored', reason: expect.stringContaining('handled already') });
    const resent = await comment('github', { number: 11, commentId: 1101, body: '/deploy' });
    expect(resent).toMatchObject({ status: 200, body: { status: 'ignored' } });

    expect(await runsOf('prs')).toEqual(runs);
    expect(github.pulls.comments.length).toBe(comments);
  });

  it("answers 503 and nothing else when GitHub's API fails, and the host's redelivery then deploys", async () => {
    github.pulls.set('acme/prs', openPull(13));
    github.pulls.failNext('GET', 1);
    const before = await runsOf('prs');
    const first = await comment('github', { number: 13, commentId: 1301, body: '/deploy' });
    expect(first.status).toBe(503);
    expect(github.pulls.on('acme/prs', 13)).toEqual([]);
    expect(await runsOf('prs')).toEqual(before);

    const again = await fetch(`${stack.slipway.url}/webhooks/github`, { method: 'POST', body: first.raw, headers: deliveryHeaders('github', first.raw, SECRETS.GITHUB_WEBHOOK_SECRET, { deliveryId: first.deliveryId }) });
    expect(again.status).toBe(202);
    const { runId } = (await again.json()) as { runId: string };
    expect((await stack.watch.settled(runId, { status: 'passed' })).sha).toBe(featureSha);
    await answerOn(github, 'acme/prs', 13, /:white_check_mark: deployed/);
  });

  it('/deploy production runs up to its approval gate without a lock, and the answer says it waits there', async () => {
    // The head passed staging (the staging test above): production takes it, behind its gate.
    github.pulls.set('acme/prs', openPull(14));
    const delivery = await comment('github', { number: 14, commentId: 1401, body: '/deploy production', author: 'ann' });
    expect(delivery.status).toBe(202);
    const run = await stack.watch.settled(delivery.body.runId!, { status: 'waiting' });
    expect(run.stages.find((s) => s.status === 'running')?.name).toBe('approval:production');
    await answerOn(github, 'acme/prs', 14, /^:raised_hand: waiting for approval in Slack\. `[0-9a-f]{7}` to \*\*production\*\*/);
    // No lock of ann's: it would keep production's approvers from approving.
    expect(await new RedisLockStore(stack.slipway.redis).get('prs', 'production')).toBeUndefined();
  });

  it('verifies a comment as a push is: a wrong signature is refused before anything is read or answered', async () => {
    const raw = JSON.stringify(commentPayload('github', { repoUrl: REPO_URL, number: 12, commentId: 1201 }));
    const res = await fetch(`${stack.slipway.url}/webhooks/github`, { method: 'POST', body: raw, headers: deliveryHeaders('github', raw, 'not-the-secret') });
    expect(res.status).toBe(401);
    expect(github.pulls.on('acme/prs', 12)).toEqual([]);
  });
});

describe('/deploy on a Gitea pull request', { timeout: 180_000 }, () => {
  it("reads the head through Gitea's API with its token, deploys it, and answers there", async () => {
    gitea.pulls.set('acme/gitea-prs', { ...openPull(3), base: { repo: 'acme/gitea-prs' }, head: { sha: featureSha, ref: FEATURE, repo: 'acme/gitea-prs' } });
    const delivery = await comment('gitea', { number: 3, commentId: 301, body: '/deploy', author: 'ann' });
    expect(delivery).toMatchObject({ status: 202, body: { status: 'queued' } });
    const run = await stack.watch.settled(delivery.body.runId!, { status: 'passed' });
    expect(run).toMatchObject({ service: 'gitea-prs', sha: featureSha, source: { host: 'gitea', fullName: 'acme/gitea-prs' }, target: { ephemeral: true } });
    const [answer] = await answerOn(gitea, 'acme/gitea-prs', 3, /:white_check_mark: deployed/);
    expect(answer).toContain(`\`${featureSha.slice(0, 7)}\``);
    expect(gitea.pulls.reads).toEqual(['acme/gitea-prs#3']);
  });

  it("deploys a fork's head, where the service allows forks, to an ephemeral environment of its own only", async () => {
    // The fork's commit is in the base repository under refs/pull/<n>/head, as the hosts keep it.
    await stack.repo.checkout('fork-work', { create: true });
    const forkSha = await stack.repo.commit({ 'www/version': 'fork-1\n' }, 'A change from a fork');
    await stack.repo.push('HEAD:refs/pull/5/head');
    await stack.repo.checkout('main');
    gitea.pulls.set('acme/gitea-prs', { number: 5, state: 'open', user: 'mallory', head: { sha: forkSha, ref: 'main', repo: 'mallory/gitea-prs' }, base: { repo: 'acme/gitea-prs' } });

    const named = await comment('gitea', { number: 5, commentId: 502, body: '/deploy staging', author: 'bob' });
    expect(named).toMatchObject({ status: 200, body: { status: 'refused', reason: expect.stringContaining('only to its own ephemeral environment, never to staging') } });

    const delivery = await comment('gitea', { number: 5, commentId: 501, body: '/deploy', author: 'bob' });
    expect(delivery.status).toBe(202);
    const run = await stack.watch.settled(delivery.body.runId!, { status: 'passed' });
    expect(run).toMatchObject({ sha: forkSha, branch: 'pull/5/head', author: { name: 'mallory' }, pullRequest: { number: 5, by: 'bob', fork: true }, target: { environment: ephemeralEnvName('gitea-prs', 'pull/5/head'), ephemeral: true } });
    const port = await new RedisPortStore(stack.slipway.redis).get('gitea-prs', run.target.environment);
    expect(await served(port!)).toBe('fork-1');
    expect(stack.watch.lastRunMessage(run.id)).toContain('by bob (a fork)');
    await answerOn(gitea, 'acme/gitea-prs', 5, /:white_check_mark: deployed/);

    // Closed: no branch deletion would remove the fork's environment, so the close tears it down, once.
    const closed = await close('gitea', 5);
    expect(closed).toMatchObject({ status: 202, body: { status: 'queued' } });
    const teardown = await stack.watch.settled(closed.body.runId!, { status: 'passed' });
    expect(teardown).toMatchObject({ trigger: 'delete', branch: 'pull/5/head', target: { environment: run.target.environment }, stages: [{ name: `teardown:${run.target.environment}`, status: 'passed' }] });
    expect(await new RedisPortStore(stack.slipway.redis).get('gitea-prs', run.target.environment)).toBeUndefined();
    await expect(served(port!)).rejects.toThrow();
    const again = await fetch(`${stack.slipway.url}/webhooks/gitea`, { method: 'POST', body: closed.raw, headers: deliveryHeaders('gitea', closed.raw, SECRETS.GOGS_WEBHOOK_SECRET, { deliveryId: closed.deliveryId }) });
    expect(await again.json()).toMatchObject({ status: 'ignored', reason: expect.stringContaining('no environment of its own') });
  });

  it('starts nothing when a pull request that deployed nothing is closed', async () => {
    const before = await runsOf('gitea-prs');
    expect(await close('gitea', 9)).toMatchObject({ status: 200, body: { status: 'ignored', reason: 'pull request #9 left no environment of its own to tear down' } });
    expect(await runsOf('gitea-prs')).toEqual(before);
  });
});

/** An open pull request of the repository itself, for the refusal table (made before featureSha is known). */
function openPullLater(number: number) {
  return { number, state: 'open' as const, user: 'ann', head: { sha: 'a'.repeat(40), ref: FEATURE, repo: 'acme/prs' as string | null }, base: { repo: 'acme/prs' } };
}
