import { describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { RedisDeploymentStore } from '../../src/adapters/store/redis-deployment-store.js';
import { RedisLogStore } from '../../src/adapters/store/redis-log-store.js';
import { RedisPortStore } from '../../src/adapters/store/redis-port-store.js';
import { RedisReleaseStore } from '../../src/adapters/store/redis-release-store.js';
import { ephemeralEnvName } from '../../src/core/naming.js';
import { chromium } from 'playwright-core';
import { buttonClickBody, slackHeaders } from '../fakes/slack-signer.js';
import { scrape } from '../helpers/prometheus.js';
import { served, stageStatus, until } from '../helpers/run-watch.js';
import { SIGNER_CHANNELS, sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';
import { SECRETS } from '../helpers/test-slipway.js';

const SIGNING_SECRET = 'pipeline-signing-secret';
const STAGING = 18180;
const FEATURE = 'dev/feature-banner';

const config = (repoUrl: string) =>
  sampleConfig({
    repoUrl,
    lintTarget: 'lint',
    tests: true,
    image: 'slipway-e2e-sample',
    ...SIGNER_CHANNELS,
    branches: [
      { match: 'main', deploy: 'staging' },
      { match: 'dev/feature*', deploy: 'ephemeral' },
    ],
    staging: STAGING,
    production: { port: 18181, healthTimeoutSeconds: undefined, approvers: { users: ['U0BOB'] } },
    ephemeral: { ports: '18190-18199', healthTimeoutSeconds: 15 },
  });

const stack = useSlackStack({
  config,
  signingSecret: SIGNING_SECRET,
  env: { SLIPWAY_WORKER_CONCURRENCY: '2', SLIPWAY_PUBLIC_URL: 'https://slipway.example.com' },
});
const docker = dockerClient(process.env.DOCKER_HOST);
const settled = (runId: string) => stack.watch.settled(runId);
const topLevelPosts = (runId: string) => stack.watch.topLevelPosts(runId);
const lastRunMessage = (runId: string) => stack.watch.lastRunMessage(runId);

describe('pipeline to staging', () => {
  it('takes a push to main to staging, showing every stage in one Slack message updated in place', async () => {
    const sha = await stack.repo.head();
    const { runId } = await stack.repo.push('main');
    expect(runId).toBeDefined();
    const pushedAt = Date.now();

    const posted = await until(async () => stack.slack.callsOf('chat.postMessage').find((c) => String(c.args.blocks).includes(runId!)), 'the run message');
    expect(stack.slack.callTimes.get(posted)! - pushedAt).toBeLessThan(1_000);

    const run = await settled(runId!);
    expect(run.status).toBe('waiting');
    expect(stageStatus(run)).toEqual({
      checkout: 'passed', validate: 'passed', test: 'passed', coverage: 'passed', build: 'passed', push: 'passed',
      'deploy:staging': 'passed', 'approval:production': 'running', 'deploy:production': 'pending',
    });
    expect(await served(STAGING)).toBe('v1');

    expect(topLevelPosts(runId!)).toHaveLength(1);
    const message = lastRunMessage(runId!)!;
    for (const stage of ['checkout', 'validate', 'test', 'coverage', 'build', 'push', 'deploy:staging']) {
      expect(message).toMatch(new RegExp(`:white_check_mark: ${stage} \\d+s`));
    }
    expect(message).toContain('3 passed');
    expect(message).toContain('90 %');

    const ts = stack.slack.answerTs(topLevelPosts(runId!)[0]!);
    // Passed stages stay in the run message; the thread holds what someone acts on: here, the approval card.
    await until(async () => (stack.slack.callsOf('chat.postMessage').some((c) => c.args.thread_ts === ts) ? true : undefined), 'the approval card in the thread');
    const thread = stack.slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === ts).map((c) => String(c.args.text));
    expect(thread).toEqual([expect.stringMatching(/^Promote sample main-[0-9a-f]{7} to production\? pending$/)]);
    expect(message).toMatch(/deploy:staging \d+s — http:\/\/127.0.0.1:18180/);

    const release = await new RedisReleaseStore(stack.slipway.redis).get('sample', sha);
    expect(release).toMatchObject({ tag: `main-${sha.slice(0, 7)}`, coverage: 90, tests: { passed: 3, failed: 0 } });
    expect(release?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const current = await new RedisDeploymentStore(stack.slipway.redis).current('sample', 'staging');
    expect(current).toMatchObject({ outcome: 'succeeded', release: { digest: release?.digest }, runId });
    const container = await docker.getContainer('sample-staging').inspect();
    expect(container.Config.Image).toBe(`127.0.0.1:5000/slipway-e2e-sample@${release?.digest}`);
    expect(container.HostConfig.NetworkMode).toBe('host');
    expect(container.Config.Labels['slipway.branch']).toBe('main');

    const testLog = await new RedisLogStore(stack.slipway.redis).read(runId!, 'test');
    expect(testLog.join('\n')).toContain('3 tests, 0 failed, 90 of 100 lines covered');
  });

  it('alerts on a failing test with its name, the author and a Retry button, and leaves staging as it was', async () => {
    // The second failure's message holds a secret slipway knows: it must not reach Slack.
    await stack.repo.commit({
      'tests.txt': `discount applies after tax|pass\nloyalty code is case-insensitive|fail:expected 10 but got 0\ntoken check|fail:sent ${SECRETS.GOGS_WEBHOOK_SECRET}\n`,
      'www/version': 'v2-broken\n',
    }, 'Break the loyalty code');
    const { runId } = await stack.repo.push('main');
    const run = await settled(runId!);

    expect(run.status).toBe('failed');
    expect(run.failure?.stage).toBe('test');
    expect(run.failure?.cause).toContain('2 of 3 tests failed: sample › loyalty code is case-insensitive (expected 10 but got 0); sample › token check (sent [redacted])');
    expect(stageStatus(run)).toMatchObject({ build: 'skipped', 'deploy:staging': 'skipped' });
    expect(await served(STAGING)).toBe('v1');

    const alert = await until(async () => stack.slack.callsOf('chat.postMessage').find((c) => String(c.args.text).includes(`failed at test`) && String(c.args.blocks).includes(runId!)), 'the failure alert');
    const blocks = String(alert.args.blocks);
    expect(blocks).toContain('<@U0ANN>');
    expect(blocks).toContain('loyalty code is case-insensitive');
    expect(blocks).toContain('FAIL loyalty code is case-insensitive: expected 10 but got 0');
    expect(blocks).toContain('"action_id":"retry_run"');
    expect(JSON.stringify(stack.slack.calls)).not.toContain(SECRETS.GOGS_WEBHOOK_SECRET);
    expect(stack.slack.callsOf('users.lookupByEmail').at(-1)?.args.email).toBe('ann@example.com');

    // Retry: the first click starts one new run; a second click is told about it.
    const click = async () => {
      const body = buttonClickBody('retry_run', runId!);
      expect((await fetch(`${stack.slipway.url}/slack/events`, { method: 'POST', body, headers: slackHeaders(body, SIGNING_SECRET) })).status).toBe(200);
    };
    await click();
    await click();
    const told = await until(async () => {
      const texts = stack.slack.callsOf('chat.postEphemeral').map((c) => String(c.args.text));
      return texts.length >= 2 ? texts : undefined;
    }, 'answers to both clicks');
    // Each answer is posted after its click is acknowledged, so they may come in either order.
    const retryId = told.map((t) => /^Retrying \S+ as run (\S+)\.$/.exec(t)?.[1]).find(Boolean);
    expect(retryId).toBeDefined();
    expect(told.sort()).toEqual([`Retrying ${runId} as run ${retryId}.`, `Run ${runId} was already retried as ${retryId}.`]);
    const retried = await settled(retryId!);
    expect(retried).toMatchObject({ trigger: 'retry', retryOf: runId, sha: run.sha, status: 'failed' });
  });

  it('links each run message to its run page, readable in a browser with the signed link only', async () => {
    const failed = (await stack.slipway.runs.listByService('sample', 20)).find((r) => r.failure?.stage === 'test')!;
    const link = /<(https:\/\/slipway\.example\.com\/runs\/[^|>]+)\|details>/.exec(lastRunMessage(failed.id) ?? '')?.[1];
    expect(link).toMatch(new RegExp(`/runs/${failed.id}\\?sig=[0-9a-f]{32}$`));
    const local = link!.replace('https://slipway.example.com', stack.slipway.url);

    const browser = await chromium.launch({ executablePath: process.env.SLIPWAY_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const answer = await page.goto(local);
      expect(answer?.status()).toBe(200);
      await expect(page.title()).resolves.toMatch(/^sample main [0-9a-f]{7} — failed$/);
      const text = await page.locator('body').innerText();
      expect(text).toContain('Failed at test: 2 of 3 tests failed');
      expect(text).toMatch(/checkout\s+passed/);
      expect(text).toContain('Break the loyalty code');
      expect(text).toContain('test log (');
      expect(await page.locator('details[open] pre').innerText()).toContain('FAIL loyalty code is case-insensitive: expected 10 but got 0');
      expect(text).not.toContain(SECRETS.GOGS_WEBHOOK_SECRET);

      const forged = await page.goto(local.replace(/sig=[0-9a-f]{32}/, `sig=${'0'.repeat(32)}`));
      expect(forged?.status()).toBe(403);
      expect(await page.locator('body').innerText()).toContain('This link is not valid');
      const otherRun = await page.goto(local.replace(failed.id, `${failed.id}x`));
      expect(otherRun?.status()).toBe(403);
    } finally {
      await browser.close();
    }
  });

  it('fails at validate when the lint target fails, showing the lint output', async () => {
    await stack.repo.commit({ 'www/index.html': '<h1>Discounts</h1><!-- TODO: banner -->\n' }, 'Add a banner placeholder');
    const { runId } = await stack.repo.push('main');
    const run = await settled(runId!);

    expect(run.failure?.stage).toBe('validate');
    expect(run.failure?.cause).toMatch(/^lint target "lint" failed: .*returned a non-zero code: 1/);
    const alert = await until(async () => stack.slack.callsOf('chat.postMessage').find((c) => String(c.args.text).includes('failed at validate') && String(c.args.blocks).includes(runId!)), 'the lint alert');
    expect(String(alert.args.blocks)).toContain('lint: remove the TODOs above');
  });

  it('puts the previous release back when the new one never gets healthy', async () => {
    const before = await docker.getContainer('sample-staging').inspect();
    await stack.repo.commit({ 'tests.txt': 'discount applies after tax|pass\n', 'www/index.html': '<h1>Discounts</h1>\n', 'www/version': 'v2-unhealthy\n' }, 'Lose the health page', { remove: ['www/healthz'] });
    const { runId } = await stack.repo.push('main');
    const run = await settled(runId!);

    expect(run.failure?.stage).toBe('deploy:staging');
    expect(run.failure?.cause).toMatch(/^http:\/\/127.0.0.1:18180\/healthz was not healthy within 5 s \(answered 404\); staging stays on its previous release$/);
    expect(await served(STAGING)).toBe('v1');
    const after = await docker.getContainer('sample-staging').inspect();
    expect(after.Config.Image).toBe(before.Config.Image);
    expect(after.State.Running).toBe(true);
    const [failed, current] = await new RedisDeploymentStore(stack.slipway.redis).history('sample', 'staging', 2);
    expect(failed).toMatchObject({ runId, outcome: 'failed' });
    expect(current?.outcome).toBe('succeeded');
    expect((await new RedisDeploymentStore(stack.slipway.redis).current('sample', 'staging'))?.runId).toBe(current?.runId);
  });

  it('fails the coverage gate below the threshold', async () => {
    await stack.repo.commit({ 'tests.txt': 'discount applies after tax|pass\n', 'coverage.txt': '79 100\n', 'www/index.html': '<h1>Discounts</h1>\n', 'www/healthz': 'ok\n' }, 'Drop a test');
    const { runId } = await stack.repo.push('main');
    const run = await settled(runId!);

    expect(run.failure).toEqual({ stage: 'coverage', cause: 'coverage 79 % is below the 80 % threshold (-11 against main)' });
    expect(await served(STAGING)).toBe('v1');
  });

  it('gives a feature branch its own environment, reusing the image of a sha built before; deleting the branch removes it', async () => {
    const sha = await stack.repo.commit({ 'tests.txt': 'discount applies after tax|pass\n', 'coverage.txt': '95 100\n', 'www/version': 'v2\n' }, 'Version 2');
    const main = await settled((await stack.repo.push('main')).runId!);
    expect(main.stages.find((s) => s.name === 'coverage')?.summary).toBe('95 % (+5 against main)');
    expect(await served(STAGING)).toBe('v2');

    await stack.repo.checkout(FEATURE, { create: true });
    const feature = await settled((await stack.repo.push(FEATURE)).runId!);
    const environment = ephemeralEnvName('sample', FEATURE);
    expect(feature.status).toBe('passed');
    expect(feature.sha).toBe(sha);
    for (const stage of ['checkout', 'test', 'coverage', 'build', 'push']) {
      expect(feature.stages.find((s) => s.name === stage)).toMatchObject({ status: 'skipped', summary: `reused release main-${sha.slice(0, 7)}` });
    }
    expect(await new RedisLogStore(stack.slipway.redis).read(feature.id, 'build')).toEqual([]);
    const port = await new RedisPortStore(stack.slipway.redis).get('sample', environment);
    expect(port).toBeGreaterThanOrEqual(18190);
    expect(await served(port!)).toBe('v2');
    expect((await docker.getContainer(environment).inspect()).Config.Image).toBe((await docker.getContainer('sample-staging').inspect()).Config.Image);

    await stack.repo.checkout('main');
    const teardown = await settled((await stack.repo.push(`:${FEATURE}`)).runId!);
    expect(teardown).toMatchObject({ trigger: 'delete', status: 'passed' });
    await expect(docker.getContainer(environment).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await new RedisPortStore(stack.slipway.redis).get('sample', environment)).toBeUndefined();
    expect((await new RedisDeploymentStore(stack.slipway.redis).history('sample', environment, 1))[0]?.outcome).toBe('torn down');
  });

  it('deploys one push at a time when two arrive together, and the newest ends on staging', async () => {
    await stack.repo.commit({ 'www/version': 'v3\n' }, 'Version 3');
    const first = (await stack.repo.push('main')).runId!;
    await stack.repo.commit({ 'www/version': 'v4\n' }, 'Version 4');
    const second = (await stack.repo.push('main')).runId!;

    const [older, newer] = [await settled(first), await settled(second)];
    expect(newer.status).toBe('waiting');
    expect(await served(STAGING)).toBe('v4');
    if (older.status === 'superseded') {
      expect(older.stages.find((s) => s.name === 'deploy:staging')?.summary).toBe(`superseded by ${second}`);
    } else {
      // The older one deployed first: its deployment ended before the newer one's began.
      const a = older.stages.find((s) => s.name === 'deploy:staging')!;
      const b = newer.stages.find((s) => s.name === 'deploy:staging')!;
      expect(Date.parse(a.finishedAt!)).toBeLessThanOrEqual(Date.parse(b.startedAt!));
    }
    const history = await new RedisDeploymentStore(stack.slipway.redis).history('sample', 'staging', 2);
    expect(history[0]).toMatchObject({ runId: second, outcome: 'succeeded' });
  });

  it('delivers the run message once, updated to the end, when Slack answers 429 and 500 first', async () => {
    stack.slack.failNext('chat.postMessage', 1, { status: 429, retryAfterSeconds: 1 });
    stack.slack.failNext('chat.update', 2, { status: 500 });
    await stack.repo.commit({ 'www/version': 'v5\n' }, 'Version 5');
    const { runId } = await stack.repo.push('main');
    await settled(runId!);

    expect(stack.slack.failed).toContainEqual({ method: 'chat.postMessage', status: 429 });
    expect(stack.slack.failed.filter((f) => f.method === 'chat.update' && f.status === 500)).toHaveLength(2);
    expect(topLevelPosts(runId!)).toHaveLength(1);
    expect(lastRunMessage(runId!)).toContain('waiting for approval');

    const metrics = await scrape(stack.slipway.url);
    expect(metrics.value('slipway_slack_api_errors_total', { kind: 'rate_limited' })).toBeGreaterThanOrEqual(1);
    expect(metrics.value('slipway_runs_total', { service: 'sample', outcome: 'failed' })).toBeGreaterThanOrEqual(4);
    expect(metrics.value('slipway_runs_total', { service: 'sample', outcome: 'passed' })).toBeGreaterThanOrEqual(2);
    expect(metrics.value('slipway_stage_duration_seconds_count', { stage: 'build', status: 'passed' })).toBeGreaterThanOrEqual(3);
    expect(metrics.value('slipway_stage_duration_seconds_count', { stage: 'coverage', status: 'failed' })).toBe(1);
    expect(metrics.value('slipway_commands_total')).toBe(0);
  });
});
