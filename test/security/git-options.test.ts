import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cloneAt, commitsBehind } from '../../src/adapters/git/clone.js';
import { remoteHead } from '../../src/adapters/git/remote-head.js';
import { parseConfig } from '../../src/config.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { aRun } from '../helpers/runs.js';
import { slackUsers } from '../helpers/slack-users.js';
import { SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';

// Issue 14, point 1: a value from a payload (or from an earlier run) that git would read as an option.
// Every attack here tries to make git run `touch <marker>`; the marker must never appear.

const TOKEN = 'xoxb-sec-git-options';
const SIGNING_SECRET = 'sec-git-options-signing';
let dir: string;
let bare: string;
let sha: string;
let slack: FakeSlack;
let slipway: TestSlipway;
const marker = () => join(dir, 'pwned');
const users = slackUsers(() => slipway.url, () => slack, SIGNING_SECRET);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sec-git-options-'));
  bare = join(dir, 'origin.git');
  const work = join(dir, 'work');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, encoding: 'utf8' }).trim();
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', work]);
  git('-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '--quiet', '--allow-empty', '-m', 'one');
  git('push', '--quiet', bare, 'main');
  sha = git('rev-parse', 'HEAD');

  slack = new FakeSlack({ token: TOKEN });
  await slack.start();
  slipway = await startTestSlipway({
    env: { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url },
    config: `
services:
  byname:
    repo: acme/byname
    image: 127.0.0.1:5000/sec-git-byname
    channel: "#deploys"
    environments: [{ name: staging, port: 21001 }]
  local:
    repo: file://${bare}
    image: 127.0.0.1:5000/sec-git-local
    channel: "#deploys"
    environments: [{ name: staging, port: 21002 }]
`,
  });
}, 120_000);

afterAll(async () => {
  await slipway?.stop();
  await slack?.stop();
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(existsSync(marker())).toBe(false);
});

async function deliver(payload: Record<string, any>) {
  const body = JSON.stringify(payload);
  const res = await fetch(`${slipway.url}/webhooks/gogs`, { method: 'POST', body, headers: deliveryHeaders('gogs', body, SECRETS.GOGS_WEBHOOK_SECRET) });
  return { status: res.status, body: (await res.json()) as { status?: string; reason?: string; runId?: string } };
}

describe('git options smuggled in as URLs, refs or shas', { timeout: 120_000 }, () => {
  const evilUrls = () => [`--upload-pack=touch ${marker()}`, `--upload-pack=touch${'${IFS}'}${marker()}`, `ext::sh -c touch% ${marker()}`, 'ext::sh', `-oProxyCommand=touch ${marker()}`];

  it('a signed webhook whose clone_url is an option of git is refused, and git never runs it', async () => {
    for (const url of evilUrls()) {
      const payload = pushPayload('gogs', { repoUrl: `file://${bare}`, after: sha });
      Object.assign(payload.repository, { clone_url: url });
      const answer = await deliver(payload);
      expect(answer.status).toBe(422);
      expect(answer.body.reason).toMatch(/clone URL is .*but local is built from file:\/\//);
    }
    expect(await slipway.runs.listByService('local', 100)).toEqual([]);
  });

  it('a signed webhook whose branch is an option of git is refused at intake', async () => {
    const answer = await deliver(pushPayload('gogs', { repoUrl: `file://${bare}`, ref: `refs/heads/--upload-pack=touch ${marker()}`, after: sha }));
    expect(answer).toMatchObject({ status: 422, body: { status: 'refused', reason: expect.stringMatching(/is not a branch name git accepts/) } });
  });

  it('/deploy never reuses the clone URL an earlier run stored', async () => {
    // An earlier run (from before this fix, or written by whoever reached Redis) carries a hostile URL.
    await slipway.runs.create(aRun({ id: 'byname-old', service: 'byname', cloneUrl: `--upload-pack=touch ${marker()}` }));
    const answer = await users.command('/deploy', 'main byname', 'U0ANN');
    expect(JSON.stringify(answer.json)).toMatch(/does not know where to clone byname from: set its cloneUrl/);
  });

  it('/deploy of a branch named like an option is refused before git runs', async () => {
    const answer = await users.command('/deploy', `--upload-pack=touch${'${IFS}'}${marker()} to staging local`, 'U0ANN');
    expect(JSON.stringify(answer.json)).toMatch(/is not a branch name git accepts/);
  });

  it('the git adapters refuse such values themselves (defence in depth), with real git', async () => {
    for (const url of evilUrls()) {
      await expect(remoteHead(url, 'main')).rejects.toThrow(/refusing to clone/);
      await expect(cloneAt({ url, sha, dir: join(dir, 'clone') })).rejects.toThrow(/refusing to clone/);
    }
    await expect(cloneAt({ url: `file://${bare}`, sha: `--upload-pack=touch ${marker()}`, dir: join(dir, 'clone2') })).rejects.toThrow(/expected a 40-character hex commit sha/);
    await expect(remoteHead(`file://${bare}`, `--upload-pack=touch ${marker()}`)).rejects.toThrow(/not a branch name git accepts/);
    await cloneAt({ url: `file://${bare}`, sha, dir: join(dir, 'clone3') });
    await expect(commitsBehind({ url: `file://${bare}`, dir: join(dir, 'clone3'), branch: `-x` })).rejects.toThrow(/starts with "-"/);
    expect(await remoteHead(`file://${bare}`, 'main')).toBe(sha); // honest use still works
  });

  it('slipway.yml cannot name such a URL either: the error names the key', () => {
    const config = (repo: string, cloneUrl?: string) => `
services:
  s:
    repo: "${repo}"
${cloneUrl ? `    cloneUrl: "${cloneUrl}"\n` : ''}    image: 127.0.0.1:5000/sec-git-s
    channel: "#s"
    environments: [{ name: staging, port: 21003 }]
`;
    expect(() => parseConfig(config('acme/s', `--upload-pack=touch ${marker()}`))).toThrow(/services\.s\.cloneUrl.*whitespace|cloneUrl/);
    expect(() => parseConfig(config('ext::sh'))).toThrow(/services\.s\.repo/);
    expect(() => parseConfig(config('http://git.example.com/acme/s.git'))).toThrow(/services\.s\.repo.*plain http/);
  });
});
