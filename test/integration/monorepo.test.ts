import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';
import { SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';

const exec = promisify(execFile);
const git = async (cwd: string, ...args: string[]) => (await exec('git', args, { cwd })).stdout.trim();

/**
 * Two services built from one repository, each from its own directory (and both from libs/). Pushes are real
 * `git push`es to a bare repository; what Gitea would send for each is read back from git (commits, and the
 * files each added, modified or removed), signed, and delivered.
 */
let slipway: TestSlipway;
let dir: string;
let work: string;
let repoUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-mono-'));
  const bare = join(dir, 'shop.git');
  work = join(dir, 'work');
  repoUrl = `file://${bare}`;
  await exec('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  await exec('git', ['init', '--quiet', '--initial-branch=main', work]);
  await git(work, 'config', 'user.name', 'Ann Example');
  await git(work, 'config', 'user.email', 'ann@example.com');
  await git(work, 'remote', 'add', 'origin', repoUrl);
  await commitFiles({ 'services/api/Dockerfile': 'FROM scratch\n', 'services/web/Dockerfile': 'FROM scratch\n', 'README.md': 'shop\n' });
  await git(work, 'push', '--quiet', 'origin', 'main');

  slipway = await startTestSlipway({
    config: `
services:
  api:
    repo: ${repoUrl}
    paths: ["services/api/**", "libs/**"]
    context: services/api
    image: 127.0.0.1:5000/mono-api
    network: host
    channel: "#shop"
    environments: [{ name: staging, port: 22400 }]
  web:
    repo: ${repoUrl}
    paths: ["services/web/**", "libs/**"]
    context: services/web
    image: 127.0.0.1:5000/mono-web
    network: host
    channel: "#shop"
    environments: [{ name: staging, port: 22401 }]
`,
  });
});

afterAll(async () => {
  await slipway?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function commitFiles(files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), content);
  }
  await git(work, 'add', '-A');
  await git(work, 'commit', '--quiet', '-m', `change ${Object.keys(files).join(', ')}`);
}

/** The commit as Gitea lists it in a push: with the files it added, modified and removed. */
async function listed(sha: string) {
  const status = await git(work, 'show', '--no-renames', '--name-status', '--format=', sha);
  const files = (letter: string) => status.split('\n').filter((l) => l.startsWith(letter)).map((l) => l.slice(1).trim());
  const [name, email, message] = (await git(work, 'log', '-1', '--format=%an%x00%ae%x00%B', sha)).split('\0');
  return { id: sha, message, url: `${repoUrl}/commit/${sha}`, author: { name, email, username: 'ann' }, added: files('A'), modified: files('M'), removed: files('D') };
}

/** Commits `files` (one commit per entry), pushes main with real git, and delivers Gitea's push webhook for it. */
async function pushChanging(...commits: Record<string, string>[]) {
  const before = await git(work, 'rev-parse', 'HEAD');
  for (const files of commits) await commitFiles(files);
  const after = await git(work, 'rev-parse', 'HEAD');
  await git(work, 'push', '--quiet', 'origin', 'main');
  const shas = (await git(work, 'rev-list', `${before}..${after}`)).split('\n');
  const payload = pushPayload('gitea', { repoUrl, after });
  const listedCommits = await Promise.all(shas.map(listed));
  Object.assign(payload, { before, commits: listedCommits, total_commits: listedCommits.length, head_commit: listedCommits[0] });
  return deliver(payload);
}

async function deliver(payload: Record<string, any>, deliveryId = randomUUID()) {
  const body = JSON.stringify(payload);
  const res = await fetch(`${slipway.url}/webhooks/gitea`, { method: 'POST', body, headers: deliveryHeaders('gitea', body, SECRETS.GOGS_WEBHOOK_SECRET, { deliveryId }) });
  return { status: res.status, json: (await res.json()) as Record<string, any>, payload };
}

const servicesOf = async (runIds: string[]) => Promise.all(runIds.map(async (id) => (await slipway.runs.get(id))?.service));

describe('two services in one repository', () => {
  it('a push touching one service starts a run for that one only', async () => {
    const answer = await pushChanging({ 'services/api/server.js': 'v2\n' });

    expect(answer.status).toBe(202);
    expect(answer.json.runIds).toHaveLength(1);
    expect(answer.json.runId).toBe(answer.json.runIds[0]);
    expect(await servicesOf(answer.json.runIds)).toEqual(['api']);
    expect(await slipway.queue.getJob(answer.json.runId)).toBeDefined();
  });

  it('a push touching both (in two commits) starts one run for each, and a replay starts none', async () => {
    const answer = await pushChanging({ 'services/web/index.html': '<p>v2</p>\n' }, { 'libs/money.js': 'round\n' });

    expect(answer.status).toBe(202);
    expect(await servicesOf(answer.json.runIds)).toEqual(['api', 'web']);
    const runs = await Promise.all(answer.json.runIds.map((id: string) => slipway.runs.get(id)));
    expect(runs.map((r) => r?.sha)).toEqual([answer.payload.after, answer.payload.after]);

    // The same signed push under a new delivery id, and the same delivery again: the same runs, no new ones.
    const replay = await deliver(answer.payload);
    const redelivery = await deliver(answer.payload);
    expect(replay.json).toEqual(answer.json);
    expect(redelivery.json).toEqual(answer.json);
    expect((await slipway.runs.listByService('api', 1000)).length).toBe(2);
    expect((await slipway.runs.listByService('web', 1000)).length).toBe(1);
  });

  it('a push touching neither starts nothing, and says why', async () => {
    const apiRuns = (await slipway.runs.listByService('api', 1000)).length;
    const webRuns = (await slipway.runs.listByService('web', 1000)).length;
    const answer = await pushChanging({ 'README.md': 'shop, now documented\n' });

    expect(answer.status).toBe(200);
    expect(answer.json.status).toBe('ignored');
    expect(answer.json.reason).toMatch(/changes no file in the paths api is built from/);
    expect(answer.json.reason).toMatch(/changes no file in the paths web is built from/);
    expect((await slipway.runs.listByService('api', 1000)).length).toBe(apiRuns);
    expect((await slipway.runs.listByService('web', 1000)).length).toBe(webRuns);
  });

  it('a push whose files the payload does not list in full runs every service', async () => {
    const answer = await pushChanging({ 'README.md': 'shop, documented again\n' });
    // Gitea listed fewer commits than the push held: the files of the rest are unknown.
    const cut = { ...answer.payload, total_commits: 30 };
    const full = await deliver(cut);

    expect(full.status).toBe(202);
    expect(await servicesOf(full.json.runIds)).toEqual(['api', 'web']);
  });
});
