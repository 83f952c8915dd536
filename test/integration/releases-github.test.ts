import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../fakes/fake-github.js';
import { served } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';
import { SECRETS } from '../helpers/test-slipway.js';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';

const run = promisify(execFile);
const TOKEN = 'ghp_releases_test_token';
const REPO_URL = 'https://github.com/acme/releases.git';
const [STAGING, PRODUCTION] = [26030, 26031];
const github = new FakeGitHub(TOKEN);

// Before the stack's: slipway is told the fake's URL when it starts.
beforeAll(async () => {
  await github.start(26032);
  github.repos.add('acme/releases');
});
afterAll(() => github.stop());
afterEach(() => {
  expect([...github.problems, ...github.repos.problems]).toEqual([]);
});

// A service named after a GitHub repository, cloned from the sample one: its pushes come as GitHub webhooks.
const stack = useSlackStack({
  config: (cloneUrl) =>
    sampleConfig({
      service: 'releases',
      repoUrl: REPO_URL,
      cloneUrl,
      image: `slipway-e2e-gh-releases-${Date.now().toString(36)}`,
      staging: STAGING,
      production: { port: PRODUCTION, requireApproval: false },
      releases: { versioning: 'calver', tagPrefix: '' },
    }),
  env: () => ({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url }),
});

describe('a version on GitHub', { timeout: 180_000 }, () => {
  it('tags the commit and makes the release through the API, with the notes linking the commits; nothing is pushed with git', async () => {
    const sha = await stack.repo.commit({ 'www/version': 'gh1\n' }, 'feat(api): list releases');
    await run('git', ['push', '--quiet', 'origin', 'main'], { cwd: join(stack.repo.dir, 'work') });
    const body = JSON.stringify(pushPayload('github', { repoUrl: REPO_URL, after: sha }));
    const res = await fetch(`${stack.slipway.url}/webhooks/github`, { method: 'POST', body, headers: deliveryHeaders('github', body, SECRETS.GITHUB_WEBHOOK_SECRET) });
    const { runId } = (await res.json()) as { runId: string };

    const passed = await stack.watch.settled(runId, { status: 'passed' });

    // Calendar versions are of the day the release stage ran (UTC), counted from 0.
    const today = (passed.stages.find((s) => s.name === 'release:production')?.startedAt ?? '').slice(0, 10).replaceAll('-', '.');
    expect(passed.version).toMatchObject({ version: `${today}.0`, tag: `${today}.0`, url: `https://github.example/acme/releases/releases/tag/${today}.0` });
    expect(passed.version?.problems).toBeUndefined();
    expect(await served(PRODUCTION)).toBe('gh1');
    expect(github.repos.tagOf('acme/releases', `${today}.0`)).toBe(sha);
    const release = github.repos.releaseOf('acme/releases', `${today}.0`);
    expect(release?.name).toBe(`releases ${today}.0`);
    expect(release?.notes).toContain(`- **api:** list releases ([\`${sha.slice(0, 7)}\`](${github.url}/acme/releases/commit/${sha}), Ann Example)`);
    expect((await run('git', ['ls-remote', '--tags', join(stack.repo.dir, 'sample.git')])).stdout).toBe('');
  });
});
