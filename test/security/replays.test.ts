import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/adapters/store/redis-keys.js';
import { served, until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';
import { SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';
import { deliveryHeaders } from '../helpers/webhook-deliveries.js';

// Issue 14, point 7: a signed push body sent again — under a new delivery id, after 50 newer pushes, or after
// slipway forgot it — must not start a second run nor put an older commit back.

type Answer = { status: number; body: { status?: string; runId?: string; reason?: string } };

/** A Gogs push body for `before..after` of a repository at `url`, as the post-receive hook sends it. */
function pushBody(url: string, before: string, after: string, branch = 'main'): string {
  const pusher = { id: 1, login: 'ann', full_name: 'Ann Example', email: 'ann@example.com', username: 'ann' };
  return JSON.stringify({
    ref: `refs/heads/${branch}`,
    before,
    after,
    commits: [{ id: after, message: 'a change', author: { name: 'Ann Example', email: 'ann@example.com', username: 'ann' } }],
    repository: { id: 1, name: 'sample', full_name: 'acme/sample', html_url: url, ssh_url: url, clone_url: url },
    pusher,
  });
}

async function send(slipway: TestSlipway, body: string, deliveryId = randomUUID()): Promise<Answer> {
  const res = await fetch(`${slipway.url}/webhooks/gogs`, { method: 'POST', body, headers: deliveryHeaders('gogs', body, SECRETS.GOGS_WEBHOOK_SECRET, { deliveryId }) });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

describe('replayed pushes at intake (runs stay queued)', { timeout: 180_000 }, () => {
  let dir: string;
  let bare: string;
  let work: string;
  let slipway: TestSlipway;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, encoding: 'utf8' }).trim();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sec-git-replay-'));
    bare = join(dir, 'sample.git');
    work = join(dir, 'work');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    execFileSync('git', ['init', '--quiet', '--initial-branch=main', work]);
    git('config', 'user.name', 'Ann Example');
    git('config', 'user.email', 'ann@example.com');
    slipway = await startTestSlipway({
      config: `
services:
  replayed:
    repo: file://${bare}
    image: 127.0.0.1:5000/sec-git-replayed
    channel: "#deploys"
    environments: [{ name: staging, port: 21020 }]
`,
    });
  }, 120_000);
  afterAll(async () => {
    await slipway?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A real commit, pushed with real git; answers the push's body and what slipway said to it. */
  async function commitAndPush(n: number): Promise<{ body: string; sha: string; answer: Answer }> {
    const before = git('rev-parse', '--verify', '--quiet', 'HEAD^{commit}') || '0'.repeat(40);
    git('commit', '--quiet', '--allow-empty', '-m', `change ${n}`);
    git('push', '--quiet', bare, 'main');
    const sha = git('rev-parse', 'HEAD');
    const body = pushBody(`file://${bare}`, before, sha);
    return { body, sha, answer: await send(slipway, body) };
  }

  const runsOf = async (sha: string) => (await slipway.runs.listByService('replayed', 10_000)).filter((r) => r.sha === sha);

  it('the same signed body under a new delivery id gets the first answer and starts nothing', async () => {
    // (git rev-parse of an unborn HEAD fails: start the branch with one commit first)
    git('commit', '--quiet', '--allow-empty', '-m', 'root');
    git('push', '--quiet', bare, 'main');
    const first = await commitAndPush(0);
    expect(first.answer.status).toBe(202);
    const again = await send(slipway, first.body);
    const andAgain = await send(slipway, first.body);
    expect(again).toEqual(first.answer);
    expect(andAgain).toEqual(first.answer);
    expect(await runsOf(first.sha)).toHaveLength(1);
  });

  it('the first of 51 real pushes, re-signed with a fresh delivery id, is not deployed again', async () => {
    const pushes = [];
    for (let n = 1; n <= 51; n += 1) pushes.push(await commitAndPush(n));
    expect(pushes.every((p) => p.answer.status === 202)).toBe(true);
    // The push log keeps 50 pushes: the first is past its memory, so only what was pushed can tell.
    const remembered = (await slipway.redis.lrange(keys.pushes('replayed', 'main'), 0, -1)).map((p) => (JSON.parse(p) as { sha: string }).sha);
    expect(remembered).not.toContain(pushes[0]!.sha);
    const replay = await send(slipway, pushes[0]!.body);
    expect(replay).toEqual(pushes[0]!.answer);
    expect(await runsOf(pushes[0]!.sha)).toHaveLength(1);
  });
});

describe('a replay slipway has forgotten is not deployed over a newer commit (git ancestry at checkout)', { timeout: 300_000 }, () => {
  const PORT = 21021;
  const stack = useSlackStack({
    config: (repoUrl) =>
      sampleConfig({ service: 'sec-git-ancestry', repoUrl, image: 'sec-git-ancestry', channel: '#deploys', staging: { port: PORT, healthTimeoutSeconds: 20 } }),
    prepare: (repo) => repo.push('main'), // the branch exists before slipway hears of it: every push below has a before
    slack: false,
  });

  const finished = (runId: string) =>
    until(async () => {
      const run = await stack.slipway.runs.get(runId);
      return run && ['passed', 'failed', 'cancelled', 'superseded'].includes(run.status) ? run : undefined;
    }, `run ${runId} to finish`, 240_000);

  async function pushVersion(version: string): Promise<{ runId: string; before: string; sha: string }> {
    const before = await stack.repo.head();
    const sha = await stack.repo.commit({ 'www/version': `${version}\n` }, `Version ${version}`);
    const { runId, output } = await stack.repo.push('main');
    if (!runId) throw new Error(`the push started no run: ${output}`);
    return { runId, before, sha };
  }

  it('skips an old push replayed after its dedupe and push-log memory are gone; the newer release keeps serving', async () => {
    const a = await pushVersion('a');
    expect((await finished(a.runId)).status).toBe('passed');
    const b = await pushVersion('b');
    expect((await finished(b.runId)).status).toBe('passed');
    expect(await served(PORT)).toBe('b');

    const oldBody = pushBody(stack.repo.url, a.before, a.sha);
    // While slipway remembers the push, the replay gets the first answer.
    expect((await send(stack.slipway, oldBody)).body.runId).toBe(a.runId);

    // A week later (or 50 pushes later) nothing in Redis remembers it: the memory is what an attacker waits out.
    const forgotten = [...(await stack.slipway.redis.keys('slipway:once:push:*')), ...(await stack.slipway.redis.keys('slipway:once:delivery:*')), keys.pushes('sec-git-ancestry', 'main')];
    await stack.slipway.redis.del(...forgotten);
    const replay = await send(stack.slipway, oldBody);
    expect(replay.status).toBe(202);
    const run = await finished(replay.body.runId ?? '');
    expect(run.status).toBe('passed'); // finished without deploying: the rest of the run is skipped
    expect(run.stages.find((s) => s.name === 'checkout')).toMatchObject({ status: 'skipped' });
    expect(JSON.stringify(run)).toContain(`${a.sha.slice(0, 7)} is older than ${b.sha.slice(0, 7)} already deployed to staging from main`);
    expect(run.stages.find((s) => s.name === 'deploy:staging')?.status).not.toBe('passed');
    expect(await served(PORT)).toBe('b');

    // Without a release to reuse (an old push whose run never built), the checkout stage itself refuses it.
    await stack.slipway.redis.del(...(await stack.slipway.redis.keys('slipway:once:push:*')), ...(await stack.slipway.redis.keys('slipway:once:delivery:*')), keys.pushes('sec-git-ancestry', 'main'), keys.release('sec-git-ancestry', a.sha));
    const unbuilt = await finished((await send(stack.slipway, oldBody)).body.runId ?? '');
    expect(unbuilt.stages.find((s) => s.name === 'checkout')).toMatchObject({ status: 'skipped', summary: expect.stringContaining(`${a.sha.slice(0, 7)} is older than ${b.sha.slice(0, 7)}`) });
    expect(unbuilt.stages.find((s) => s.name === 'build')?.status).toBe('skipped');
    expect(await served(PORT)).toBe('b');

    // A person may still go back on purpose: a push that continues from the deployed commit (force-push back).
    const back = await send(stack.slipway, pushBody(stack.repo.url, b.sha, a.sha));
    const forced = await finished(back.body.runId ?? '');
    expect(forced.stages.find((s) => s.name === 'deploy:staging')?.status).toBe('passed');
    expect(await served(PORT)).toBe('a');
  });
});
