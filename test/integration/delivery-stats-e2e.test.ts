import { describe, expect, it } from 'vitest';
import { RedisDeploymentStore } from '../../src/adapters/store/redis-deployment-store.js';
import { scrape } from '../helpers/prometheus.js';
import { served, until } from '../helpers/run-watch.js';
import { SIGNER_CHANNELS, sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

const STAGING = 26320;
const PRODUCTION = 26321;
const BOB = 'U0BOB'; // the approver; Ann wrote every commit

const config = (repoUrl: string) =>
  sampleConfig({
    // A name of its own: containers are named by service and environment, and files run side by side.
    service: 'figures',
    repoUrl,
    image: 'slipway-stats-e2e',
    ...SIGNER_CHANNELS,
    branches: [{ match: 'main', deploy: 'staging' }],
    staging: STAGING,
    production: { port: PRODUCTION, approvers: { users: [BOB] } },
  });

const stack = useSlackStack({ config });

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** A version pushed to main, through staging, approved by Bob and deployed to production; its run id. */
async function toProduction(version: string): Promise<string> {
  const runId = await stack.repo.pushVersion(version);
  await stack.watch.settled(runId, { status: 'waiting' });
  await stack.users.click('approve_promotion', await stack.watch.approveValue(runId, 'production'), BOB);
  await stack.watch.settled(runId, { status: 'passed' });
  expect(await served(PRODUCTION)).toBe(version);
  return runId;
}

describe('delivery figures from real deliveries', { timeout: 300_000 }, () => {
  it('two releases to production, the second rolled back with /rollback: the four figures on Slack and /metrics', async () => {
    const first = await toProduction('r1');
    const second = await toProduction('r2');
    const rollback = await stack.users.rollBack('figures production', BOB);
    expect((await stack.watch.settled(rollback)).status).toBe('passed');
    expect(await served(PRODUCTION)).toBe('r1');

    // What slipway recorded: the two promotions and the rollback, and the commit times the pushes carried.
    const history = (await new RedisDeploymentStore(stack.slipway.redis).history('figures', 'production', 10)).reverse();
    expect(history.map((d) => [d.runId, d.outcome])).toEqual([[first, 'succeeded'], [second, 'succeeded'], [rollback, 'succeeded']]);
    const runs = await Promise.all([first, second].map(async (id) => (await stack.slipway.runs.get(id))!));
    const leadTimes = runs.flatMap((run, i) => run.commits.map((c) => (Date.parse(history[i]!.at) - Date.parse(c.at!)) / 1000));
    expect(leadTimes.every((s) => s >= 0 && s < 600)).toBe(true);
    const restoreSeconds = (Date.parse(history[2]!.at) - Date.parse(history[1]!.at)) / 1000;

    const answer = await stack.users.command('/slipway', 'stats figures 7d', 'U0ANN');
    const text = JSON.stringify(answer.json?.blocks);
    expect(text).toContain('*production*\\n• deployment frequency: 2 deployments, 0.29 a day');
    expect(text).toContain(`median over ${leadTimes.length} commits`);
    expect(text).toContain('• change failure rate: 50% (1 of 2: 1 rolled back)');
    expect(text).toContain('• time to restore: ');
    expect(text).toContain('median over 1');
    expect(text).not.toContain('from before slipway kept commit times');
    await until(async () => stack.slack.callsOf('files.completeUploadExternal')[0], 'the chart upload');

    const metrics = await scrape(stack.slipway.url);
    const production = { service: 'figures', environment: 'production' };
    expect(metrics.value('slipway_deployments_per_second', production) * 86_400).toBeCloseTo(2 / 30, 6);
    expect(metrics.value('slipway_change_failure_ratio', production)).toBe(0.5);
    expect(metrics.value('slipway_lead_time_seconds', production)).toBeCloseTo(median(leadTimes), 2);
    expect(metrics.value('slipway_time_to_restore_seconds', production)).toBeCloseTo(restoreSeconds, 2);
    // Staging took both versions, and nothing failed there.
    expect(metrics.value('slipway_deployments_per_second', { service: 'figures', environment: 'staging' }) * 86_400).toBeCloseTo(2 / 30, 6);
    expect(metrics.value('slipway_change_failure_ratio', { service: 'figures', environment: 'staging' })).toBe(0);
  });
});
