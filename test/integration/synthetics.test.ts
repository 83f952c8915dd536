import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { RedisAuditLog } from '../../src/adapters/store/redis-audit-log.js';
import { FakeDatadog } from '../fakes/fake-datadog.js';
import { buttonClickBody, slackHeaders } from '../fakes/slack-signer.js';
import { served, until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

const SIGNING_SECRET = 'synthetics-signing-secret';
const DD = { apiKey: 'dd-api-key-e2e', appKey: 'dd-app-key-e2e' };
const [STAGING, PRODUCTION] = [18380, 18381];
const BOB = 'U0BOB';

const config = (repoUrl: string) =>
  sampleConfig({
    service: 'promo',
    repoUrl,
    tests: true,
    image: 'slipway-e2e-synthetics',
    channels: ['#deploys', '#sample'], // where the fake Slack's commands and buttons come from
    approvers: { users: [BOB] },
    staging: {
      port: STAGING,
      syntheticsTimeoutSeconds: 60,
      synthetics: [
        { type: 'http', name: 'home page', path: '/', bodyContains: 'Discounts', maxLatencyMs: 5000 },
        { type: 'http', name: 'build info', path: '/info.json', jsonField: { path: 'build.version', equals: 1 } },
        {
          type: 'browser',
          name: 'apply a code',
          steps: [{ goto: '/' }, { fill: '#code', with: 'welcome10' }, { click: '#apply' }, { expectText: '10% off' }],
        },
      ],
    },
    production: {
      port: PRODUCTION,
      url: 'https://promo.example.com',
      syntheticsTimeoutSeconds: 60,
      synthetics: [{ type: 'datadog', publicId: 'pro-smk-001', name: 'production smoke' }],
    },
  });

const datadog = new FakeDatadog(DD, { 'pro-smk-001': { name: 'production smoke', behaviour: { outcome: 'passed', polls: 1 } } });
// Before the stack's: slipway is told the fake's URL when it starts.
beforeAll(() => datadog.start());
afterAll(() => datadog.stop());
afterEach(() => {
  expect(datadog.problems).toEqual([]);
});

const stack = useSlackStack({
  config,
  signingSecret: SIGNING_SECRET,
  env: () => ({ DD_API_KEY: DD.apiKey, DD_APP_KEY: DD.appKey, DD_SITE: 'datadoghq.eu', DATADOG_API_URL: datadog.url }),
});
const docker = dockerClient(process.env.DOCKER_HOST);

async function push(version: string, files: Record<string, string> = {}) {
  await stack.repo.commit({ 'www/version': `${version}\n`, ...files }, `Version ${version}`);
  const { runId } = await stack.repo.push('main');
  if (!runId) throw new Error('the push started no run');
  return runId;
}

async function click(action: string, value: string) {
  const body = buttonClickBody(action, value, { userId: BOB, responseUrl: stack.slack.responseUrl });
  await fetch(`${stack.slipway.url}/slack/events`, { method: 'POST', body, headers: slackHeaders(body, SIGNING_SECRET) });
}

const threadReplies = (runId: string) => {
  const post = stack.watch.topLevelPosts(runId)[0];
  const ts = post && stack.slack.answerTs(post);
  return stack.slack.callsOf('chat.postMessage').filter((c) => ts && c.args.thread_ts === ts);
};

describe('synthetic checks as gates', { timeout: 180_000 }, () => {
  let firstDigest: string;

  it('passes HTTP and browser checks on staging, shows "3/3 passed", then runs Datadog after production', async () => {
    const runId = await push('p1');
    const run = await stack.watch.settled(runId, { status: 'waiting' });

    expect(run.stages.find((s) => s.name === 'synthetics:staging')).toMatchObject({ status: 'passed', summary: '3/3 passed' });
    expect(stack.watch.lastRunMessage(runId)).toMatch(/:white_check_mark: synthetics:staging \d+s — 3\/3 passed/);
    // Passed checks are listed in the run message under their stage, not posted in the thread.
    expect(threadReplies(runId).filter((c) => String(c.args.text).startsWith('synthetics:staging passed'))).toEqual([]);
    const detail = stack.watch.lastRunMessage(runId)!;
    expect(detail).toContain(':white_check_mark: home page (http) — 200 in');
    expect(detail).toContain(':white_check_mark: build info (http)');
    expect(detail).toContain(':white_check_mark: apply a code (browser) — 4 steps passed');
    await until(async () => stack.watch.approvalCard(runId, 'production'), 'the approval card');

    await click('approve_promotion', await stack.watch.approveValue(runId, 'production'));
    const promoted = await stack.watch.settled(runId, { status: 'passed' });
    expect(promoted.stages.find((s) => s.name === 'synthetics:production')).toMatchObject({ status: 'passed', summary: '1/1 passed' });
    expect(datadog.triggers().at(-1)?.body).toEqual({ tests: [{ public_id: 'pro-smk-001', startUrl: 'https://promo.example.com' }] });
    expect(await served(PRODUCTION)).toBe('p1');
    firstDigest = (await docker.getContainer('promo-production').inspect()).Config.Image;
  });

  it('fails the browser check of a broken page naming the step, uploads its screenshot, and asks no approval', async () => {
    const runId = await push('p2', { 'www/app.js': "document.getElementById('apply').addEventListener('click', function () {});\n" });
    const run = await stack.watch.settled(runId, { status: 'failed' });

    expect(run.failure?.stage).toBe('synthetics:staging');
    expect(run.failure?.cause).toMatch(/^2\/3 passed; failed: apply a code \(step 4 \(expect text "10% off"\) failed: .*Timeout.*\)$/);
    expect(stack.watch.approvalCard(runId, 'production')).toBeUndefined();
    expect(await served(PRODUCTION)).toBe('p1');
    expect(await served(STAGING)).toBe('p2');

    await until(async () => stack.slack.callsOf('files.completeUploadExternal').find((c) => String(c.args.files).includes('apply-a-code.png')), 'the screenshot upload');
    const upload = stack.slack.callsOf('files.completeUploadExternal').find((c) => String(c.args.files).includes('apply-a-code.png'))!;
    expect(upload.args.thread_ts).toBe(stack.slack.answerTs(stack.watch.topLevelPosts(runId)[0]!));
    expect(stack.slack.callsOf('file_upload').some((c) => c.args.png === true && Number(c.args.size) > 1_000)).toBe(true);

    const alert = await until(async () => stack.slack.callsOf('chat.postMessage').find((c) => String(c.args.text).includes('failed at synthetics:staging') && String(c.args.blocks).includes(runId)), 'the alert');
    const blocks = String(alert.args.blocks);
    expect(blocks).toContain(':x: apply a code (browser) — step 4 (expect text \\"10% off\\") failed');
    expect(blocks).toContain('"action_id":"rerun_checks"');

    // Re-run checks: the same release, from the failed checks on — no rebuild, no redeploy before them.
    await click('rerun_checks', runId);
    const rerunId = await until(async () => (await stack.slipway.runs.listByService('promo', 20)).find((r) => r.retryOf === runId)?.id, 'the re-run');
    const rerun = await stack.watch.settled(rerunId, { status: 'failed' });
    expect(rerun.stages.map((s) => s.name)).toEqual(['synthetics:staging', 'approval:production', 'deploy:production', 'synthetics:production']);
    expect(rerun.release).toEqual(run.release);
    expect(rerun.failure?.stage).toBe('synthetics:staging');
  });

  it('rolls production back by itself when Datadog fails after a production deploy', async () => {
    datadog.tests['pro-smk-001']!.behaviour = { outcome: 'failed' };
    const runId = await push('p3', { 'www/app.js': "document.getElementById('apply').addEventListener('click', function () { document.getElementById('result').textContent = '10% off'; });\n" });
    await stack.watch.settled(runId, { status: 'waiting' });
    await click('approve_promotion', await stack.watch.approveValue(runId, 'production'));
    const run = await stack.watch.settled(runId, { status: 'failed' });

    expect(run.failure?.stage).toBe('synthetics:production');
    expect(run.failure?.cause).toMatch(/^0\/1 passed; failed: production smoke \(failed in 1234 ms from aws:eu-central-1\); production was rolled back to main-[0-9a-f]{7}; main-[0-9a-f]{7} is quarantined there and production is locked until someone unlocks it$/);
    expect(await served(PRODUCTION)).toBe('p1');
    expect((await docker.getContainer('promo-production').inspect()).Config.Image).toBe(firstDigest);
    const rollback = (await new RedisAuditLog(stack.slipway.redis).list('promo', 'production')).find((e) => e.action === 'rollback');
    expect(rollback).toMatchObject({ by: 'slipway', runId, detail: expect.stringMatching(/^automatic, to main-[0-9a-f]{7}: synthetics failed$/) });
    const alert = await until(async () => stack.slack.callsOf('chat.postMessage').find((c) => String(c.args.text).includes('failed at synthetics:production')), 'the alert');
    expect(String(alert.args.blocks)).toContain('production was rolled back to');
  });
});
