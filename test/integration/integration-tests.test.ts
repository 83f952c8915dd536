import { afterAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { caddyProxy } from '../../src/adapters/proxy/caddy-proxy.js';
import { RedisAuditLog } from '../../src/adapters/store/redis-audit-log.js';
import { RedisLockStore } from '../../src/adapters/store/redis-lock-store.js';
import { RedisLogStore } from '../../src/adapters/store/redis-log-store.js';
import { RedisPassStore } from '../../src/adapters/store/redis-pass-store.js';
import { buttonClickBody, slackHeaders } from '../fakes/slack-signer.js';
import { served, stageStatus, until } from '../helpers/run-watch.js';
import { SIGNER_CHANNELS, sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

// Ports of this file: 26100-26199. Staging answers on 26100 (the proxy), its releases take turns on 26101/26102;
// the gated service's qa on 26110.
const STAGING = { port: 26100, slots: [26101, 26102] };
const QA = 26110;
const SIGNING_SECRET = 'integration-tests-signing-secret';
const URL_SHOWN = `http://127.0.0.1:${STAGING.port}`;
const BOB = 'U0BOB';

const TESTS = { target: 'integration', command: 'sh /app/integration.sh', junit: '/reports/junit.xml', timeoutSeconds: 120 };

// The rollback settings of failed synthetics: blue/green (`itest`'s staging) puts the last release back; an environment
// behind approval (`itest-gated`'s qa, deployed from the branch gated) does that too, and quarantines and locks.
const config = (repoUrl: string) =>
  sampleConfig(
    {
    service: 'itest',
    repoUrl,
    image: 'slipway-e2e-integration-tests',
    ...SIGNER_CHANNELS,
    approvers: { users: [BOB] },
    staging: {
      port: STAGING.port,
      strategy: 'blue-green',
      slots: STAGING.slots,
      drainSeconds: 1,
      integrationTests: TESTS,
    },
  },
  {
    service: 'itest-gated',
    repoUrl,
    image: 'slipway-e2e-integration-tests-gated',
    ...SIGNER_CHANNELS,
    approvers: { users: [BOB] },
    branches: [{ match: 'gated', deploy: 'qa' }],
    environments: [{ name: 'qa', port: QA, requireApproval: true, healthTimeoutSeconds: 5, integrationTests: TESTS }],
  },
  );

const stack = useSlackStack({ config, signingSecret: SIGNING_SECRET, env: { SLIPWAY_PUBLIC_URL: 'https://slipway.example.com' } });
const docker = dockerClient(process.env.DOCKER_HOST);

afterAll(async () => {
  // The embedded Caddy keeps its routes across restarts: leave none of ours in it.
  const line = stack.slipway.logs.find((l) => l.msg.includes('started an embedded Caddy'));
  if (line) await caddyProxy(String(line.admin)).remove('itest-staging');
});

async function push(version: string, files: Record<string, string> = {}, branch = 'main') {
  await stack.repo.commit({ 'www/version': `${version}\n`, ...files }, `Version ${version}`);
  const { runId } = await stack.repo.push(branch);
  if (!runId) throw new Error('the push started no run');
  return runId;
}

/** What is left on the engine of the run's integration tests: containers (any state) and images. */
async function leftovers(runId: string) {
  const containers = await docker.listContainers({ all: true, filters: { label: ['slipway.purpose=integration-tests', `slipway.run=${runId}`] } });
  const images = await docker.listImages({ filters: { reference: [`slipway-it/itest:${runId}-*`] } });
  return { containers: containers.length, images: images.length };
}

/** The run page, fetched through the signed link of the run's Slack message. */
async function runPage(runId: string): Promise<string> {
  const link = /<(https:\/\/slipway\.example\.com\/runs\/[^|>]+)\|details>/.exec(stack.watch.lastRunMessage(runId) ?? '')?.[1];
  if (!link) throw new Error(`no run page link in the message of ${runId}`);
  const answer = await fetch(link.replace('https://slipway.example.com', stack.slipway.url));
  expect(answer.status).toBe(200);
  return answer.text();
}

describe('integration tests against the deployed environment', { timeout: 300_000 }, () => {
  it('runs the Dockerfile target after the deploy with the environment’s URL, and passes on its JUnit report', async () => {
    const runId = await push('i1');
    const run = await stack.watch.settled(runId, { status: 'passed' });

    expect(run.stages.map((s) => s.name)).toEqual(['checkout', 'build', 'push', 'deploy:staging', 'integration:staging']);
    expect(run.stages.find((s) => s.name === 'integration:staging')).toMatchObject({ status: 'passed', summary: '2 passed' });
    expect(await served(STAGING.port)).toBe('i1');
    // Through staging once its integration tests passed: what promotion order asks of the next environment.
    expect(await new RedisPassStore(stack.slipway.redis).passed('itest', run.release!.digest)).toEqual(new Set(['staging']));
    expect(stack.watch.lastRunMessage(runId)).toMatch(/:white_check_mark: integration:staging \d+s — 2 passed/);

    const page = await runPage(runId);
    expect(page).toContain(`SLIPWAY_URL=${URL_SHOWN}`);
    expect(page).toContain(`GET ${URL_SHOWN}/healthz`);
    expect(page).toContain('2 integration tests, 0 failed');
    // Built once, in the build stage, next to the release.
    expect(page).toMatch(/build log[\s\S]*Step \d+\/\d+ : FROM base AS integration/);
    await until(async () => {
      const left = await leftovers(runId);
      return left.containers === 0 && left.images === 0 ? true : undefined;
    }, 'the tests’ container and image to be removed');
  });

  it('fails on a failed test case: the alert names it, mentions the author, offers Retry, and staging goes back', async () => {
    const runId = await push('i2', { 'www/index.html': '<!doctype html><title>Sale</title><h1>Nothing to see</h1>\n' });
    const run = await stack.watch.settled(runId, { status: 'failed' });

    expect(run.failure?.stage).toBe('integration:staging');
    expect(run.failure?.cause).toMatch(
      /^integration tests: 1 of 2 tests failed: integration › home page shows the discounts \(expected Discounts at \/\); staging is back on main-[0-9a-f]{7}$/,
    );
    expect(stageStatus(run)).toMatchObject({ 'deploy:staging': 'passed', 'integration:staging': 'failed' });
    expect(await served(STAGING.port)).toBe('i1');
    expect(await new RedisPassStore(stack.slipway.redis).passed('itest', run.release!.digest)).toEqual(new Set());
    const rollback = (await new RedisAuditLog(stack.slipway.redis).list('itest', 'staging')).find((e) => e.action === 'rollback' && e.runId === runId);
    expect(rollback?.detail).toMatch(/^automatic, to main-[0-9a-f]{7}: integration tests failed$/);

    const alert = await until(
      async () => stack.slack.callsOf('chat.postMessage').find((c) => String(c.args.text).includes('failed at integration:staging') && String(c.args.blocks).includes(runId)),
      'the failure alert',
    );
    const blocks = String(alert.args.blocks);
    expect(blocks).toContain('home page shows the discounts');
    expect(blocks).toContain('<@U0ANN>');
    expect(blocks).toContain('"action_id":"retry_run"');
    expect(blocks).not.toContain('"action_id":"rerun_checks"');
    await until(async () => {
      const left = await leftovers(runId);
      return left.containers === 0 && left.images === 0 ? true : undefined;
    }, 'the tests’ container and image to be removed');

    // Retry runs the same commit again, reusing its release (no build stage): the integration stage builds its
    // target itself, the same test fails again, and staging is still on i1.
    const body = buttonClickBody('retry_run', runId);
    expect((await fetch(`${stack.slipway.url}/slack/events`, { method: 'POST', body, headers: slackHeaders(body, SIGNING_SECRET) })).status).toBe(200);
    const retryId = await until(async () => (await stack.slipway.runs.listByService('itest', 20)).find((r) => r.retryOf === runId)?.id, 'the retry');
    const retried = await stack.watch.settled(retryId, { status: 'failed' });
    expect(retried.failure?.stage).toBe('integration:staging');
    expect(stageStatus(retried)).toMatchObject({ build: 'skipped' });
    const logs = await new RedisLogStore(stack.slipway.redis).read(retryId, 'integration:staging');
    expect(logs).toContain('building the integration tests\' target "integration" on this worker\'s engine');
    expect(logs).toContain('FAILED integration › home page shows the discounts: expected Discounts at /');
    expect(await served(STAGING.port)).toBe('i1');
  });

  it('rolls an environment behind approval back, quarantining the release and locking it, as failed synthetics do', async () => {
    const approve = async (runId: string) => {
      await stack.watch.settled(runId, { status: 'waiting' });
      await stack.users.click('approve_promotion', await stack.watch.approveValue(runId, 'qa'), BOB);
    };
    await stack.repo.checkout('gated', { create: true });
    try {
      const first = await push('g1', { 'www/index.html': '<!doctype html><title>Discounts</title><h1>Discounts</h1>\n' }, 'gated');
      await approve(first);
      expect((await stack.watch.settled(first, { status: 'passed' })).stages.find((s) => s.name === 'integration:qa')?.summary).toBe('2 passed');
      expect(await served(QA)).toBe('g1');

      const broken = await push('g2', { 'www/index.html': '<!doctype html><title>Sale</title>\n' }, 'gated');
      await approve(broken);
      const run = await stack.watch.settled(broken, { status: 'failed' });

      expect(run.failure?.cause).toMatch(
        /^integration tests: 1 of 2 tests failed: integration › home page shows the discounts \(expected Discounts at \/\); qa was rolled back to (gated-[0-9a-f]{7}); gated-[0-9a-f]{7} is quarantined there and qa is locked until someone unlocks it$/,
      );
      expect(await served(QA)).toBe('g1');
      expect(await new RedisLockStore(stack.slipway.redis).get('itest-gated', 'qa')).toMatchObject({ by: expect.any(String) });
    } finally {
      await stack.repo.checkout('main');
    }
  });

  it('stops the tests’ container at once when the run is cancelled, and removes it', async () => {
    const runId = await push('i3', { 'slow-integration': '300\n' });
    const logs = new RedisLogStore(stack.slipway.redis);
    await until(async () => ((await logs.read(runId, 'integration:staging')).includes('taking 300 s') ? true : undefined), 'the slow tests to start');

    const asked = Date.now();
    const answer = await stack.users.command('/slipway', `cancel ${runId}`, BOB);
    expect(String(answer.json?.text)).toBe(`Run ${runId} will stop at the end of its current stage.`);
    const run = await stack.watch.settled(runId, { status: 'cancelled' });

    expect(Date.now() - asked).toBeLessThan(60_000);
    expect(run.stages.find((s) => s.name === 'integration:staging')).toMatchObject({ status: 'skipped', summary: `cancelled by <@${BOB}>` });
    expect(run.failure).toBeUndefined();
    await until(async () => ((await leftovers(runId)).containers === 0 ? true : undefined), 'the tests’ container to be removed');
  });
});
