import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { RedisDeploymentStore } from '../../src/adapters/store/redis-deployment-store.js';
import type { Deployment, DeploymentOutcome } from '../../src/core/ports.js';
import { newRun, type Run } from '../../src/core/run.js';
import { scrape } from '../helpers/prometheus.js';
import { until } from '../helpers/run-watch.js';
import { SIGNER_CHANNELS, sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

const STAGING = 26310;
const PUBLIC_URL = 'https://slipway.example.com';
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const HOUR = 3_600_000;

const config = (repoUrl: string) =>
  sampleConfig({
    // A name of its own: containers are named by service and environment, and files run side by side.
    service: 'tally',
    repoUrl,
    image: 'slipway-stats-sample',
    ...SIGNER_CHANNELS,
    branches: [{ match: 'main', deploy: 'staging' }],
    staging: STAGING,
    production: { port: 26311, approvers: { users: ['U0BOB'] } },
  });

const stack = useSlackStack({ config, env: { SLIPWAY_PUBLIC_URL: PUBLIC_URL } });

type Answer = { response_type?: string; text?: string; blocks?: { text?: { text?: string }; elements?: { text?: string }[] }[] };
const blockText = (answer: Answer | undefined) => (answer?.blocks ?? []).map((b) => b.text?.text ?? b.elements?.map((e) => e.text).join(' ') ?? '').join('\n');

async function stats(text: string): Promise<Answer> {
  const answer = await stack.users.command('/slipway', `stats ${text}`.trim(), 'U0ANN');
  expect(answer.status).toBe(200);
  return answer.json as Answer;
}

/**
 * Production's history as slipway would have written it over the last days: a release, one rolled back by
 * slipway an hour after it went out, one whose deploy failed, and the release that restored service.
 */
async function seedProduction(now: number): Promise<void> {
  const deployments = new RedisDeploymentStore(stack.slipway.redis);
  const at = (hoursAgo: number) => new Date(now - hoursAgo * HOUR).toISOString();
  const seeded: [id: string, release: string, deployedHoursAgo: number, committedHoursAgo: number, outcome: DeploymentOutcome, by?: string][] = [
    ['seed-a', 'a', 100, 110, 'succeeded'],
    ['seed-b', 'b', 50, 52, 'succeeded'],
    ['seed-b', 'a', 49, 110, 'succeeded', 'slipway (automatic rollback)'],
    ['seed-c', 'c', 20, 26, 'failed'],
    ['seed-d', 'd', 10, 14, 'succeeded'],
  ];
  for (const [id, release, deployedHoursAgo, committedHoursAgo, outcome, by = 'U0BOB'] of seeded) {
    const sha = release.repeat(40);
    if (!(await stack.slipway.runs.get(id))) {
      const run: Run = newRun(
        {
          id,
          service: 'tally',
          trigger: 'push',
          branch: 'main',
          sha,
          author: { name: 'Ann' },
          triggeredBy: { name: 'Ann' },
          commits: [{ sha, message: `feat: release ${release}`, author: { name: 'Ann' }, at: at(committedHoursAgo) }],
          cloneUrl: stack.repo.url,
          target: { environment: 'staging', ephemeral: false },
          stages: ['checkout', 'build', 'push', 'deploy:staging', 'approval:production', 'deploy:production'],
        },
        new Date(now - committedHoursAgo * HOUR),
      );
      await stack.slipway.runs.create(run);
    }
    const deployment: Deployment = {
      service: 'tally',
      environment: 'production',
      release: { sha, tag: `main-${release}`, digest: `sha256:${release.repeat(64)}`, image: 'registry/slipway-stats-sample' },
      port: 26311,
      runId: id,
      by,
      at: at(deployedHoursAgo),
      outcome,
    };
    await deployments.record(deployment);
  }
}

describe('how delivery is going', () => {
  it('keeps each pushed commit\'s time, and /slipway stats answers with staging\'s figures and uploads a PNG chart', async () => {
    const { runId } = await stack.repo.push('main');
    const run = await stack.watch.settled(runId!);
    expect(run.status).toBe('waiting');
    // The commit times came with the push (the git host's `timestamp`), as git recorded them.
    const authored = execFileSync('git', ['-C', join(stack.repo.dir, 'sample.git'), 'log', '-1', '--format=%aI', run.sha], { encoding: 'utf8' }).trim();
    expect(run.commits.find((c) => c.sha === run.sha)?.at).toBe(new Date(authored).toISOString());

    const answer = await stats('tally 7d');
    expect(answer.response_type).toBe('in_channel');
    const text = blockText(answer);
    expect(text).toContain('*tally*: how delivery went in the last 7d');
    expect(text).toMatch(/\*staging\*\n• deployment frequency: 1 deployment, 0\.14 a day/);
    expect(text).toMatch(new RegExp(`lead time, commit to staging: \\d+[smh][^\\n]* median over ${run.commits.length} commits?`));
    expect(text).toContain('change failure rate: 0% (0 of 1)');
    expect(text).toContain('*production*\n• deployment frequency: 0 deployments');
    expect(text).not.toContain('from before slipway kept commit times');
    expect(text).toContain('The chart follows in a moment.');
    expect(text).toMatch(/<https:\/\/slipway\.example\.com\/services\/tally\?sig=[0-9a-f]{32}\|Charts on the service page>/);

    // Slack's upload in three steps: a URL for the file, its bytes there, then the share into the channel.
    const completed = await until(async () => stack.slack.callsOf('files.completeUploadExternal')[0], 'the chart upload to complete');
    const [asked] = stack.slack.callsOf('files.getUploadURLExternal');
    expect(asked?.args).toMatchObject({ filename: 'tally-delivery-7d.png' });
    const files = JSON.parse(String(completed.args.files)) as { id: string; title: string }[];
    expect(files).toEqual([{ id: expect.stringMatching(/^F/), title: 'tally: deployments per day, last 7d' }]);
    expect(completed.args).toMatchObject({ channel_id: 'C0DEPLOYS', initial_comment: expect.stringContaining('Deployments per day of tally, last 7d') });
    const png = stack.slack.uploadedBytes(files[0]!.id);
    expect(png?.subarray(0, 8)).toEqual(PNG_MAGIC);
    expect(Number(asked?.args.length)).toBe(png?.length);
  });

  it('counts failed, rolled-back and restored production changes, on /slipway stats and as gauges on /metrics', async () => {
    await seedProduction(Date.now());

    const text = blockText(await stats('tally'));
    expect(text).toContain('last 30d');
    expect(text).toContain('*production*\n• deployment frequency: 3 deployments, 0.10 a day');
    expect(text).toContain('lead time, commit to production: 4h median over 3 commits');
    expect(text).toContain('change failure rate: 50% (2 of 4: 1 failed, 1 rolled back)');
    expect(text).toContain('time to restore: 5h 30m median over 2');

    const metrics = await scrape(stack.slipway.url);
    const production = { service: 'tally', environment: 'production' };
    expect(metrics.value('slipway_deployments_per_second', production) * 86_400).toBeCloseTo(0.1, 6);
    expect(metrics.value('slipway_lead_time_seconds', production)).toBeCloseTo(4 * 3600, 0);
    expect(metrics.value('slipway_change_failure_ratio', production)).toBe(0.5);
    expect(metrics.value('slipway_time_to_restore_seconds', production)).toBeCloseTo((3600 + 10 * 3600) / 2, 0);
    const staging = { service: 'tally', environment: 'staging' };
    expect(metrics.value('slipway_deployments_per_second', staging) * 86_400).toBeCloseTo(1 / 30, 6);
    expect(metrics.value('slipway_change_failure_ratio', staging)).toBe(0);
    expect(metrics.value('slipway_lead_time_seconds', staging)).toBeGreaterThan(0);
    // Staging has had no failure: no time-to-restore sample rather than a zero that reads as a measurement.
    expect(metrics.families.find((f) => f.name === 'slipway_time_to_restore_seconds')).toBeDefined();
  });

  it('links the run page to the service page, which shows the figures and the chart in a browser (signed link only)', async () => {
    const [run] = await stack.slipway.runs.listByService('tally', 20).then((runs) => runs.filter((r) => r.trigger === 'push' && !r.id.startsWith('seed-')));
    const link = /<(https:\/\/slipway\.example\.com\/runs\/[^|>]+)\|details>/.exec(stack.watch.lastRunMessage(run!.id) ?? '')?.[1];
    expect(link).toBeDefined();
    const local = (url: string) => url.replace(PUBLIC_URL, stack.slipway.url);

    const browser = await chromium.launch({ executablePath: process.env.SLIPWAY_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      expect((await page.goto(local(link!)))?.status()).toBe(200);
      const servicePage = await page.locator('a#service-page').getAttribute('href');
      expect(servicePage).toMatch(/^https:\/\/slipway\.example\.com\/services\/tally\?sig=[0-9a-f]{32}$/);

      const answer = await page.goto(local(servicePage!));
      expect(answer?.status()).toBe(200);
      await expect(page.title()).resolves.toBe('tally — delivery, last 30d');
      const production = await page.locator('#figures tr[data-environment="production"]').innerText();
      expect(production).toContain('3 deployments, 0.10 a day');
      expect(production).toContain('50% (2 of 4: 1 failed, 1 rolled back)');
      // The chart: slipway's SVG inline, a panel per environment with bars drawn.
      const chart = page.locator('#chart svg').first();
      await expect(chart.isVisible()).resolves.toBe(true);
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(300);
      expect(await page.locator('#chart svg text', { hasText: 'production' }).count()).toBeGreaterThan(0);
      expect(await page.locator('#chart svg path[fill="#c62a2f"], #chart svg rect[fill="#c62a2f"]').count()).toBeGreaterThan(0);

      // Another window by its link; then a forged signature, and a run's signature on the service path.
      await page.locator('nav a', { hasText: '7d' }).click();
      await expect(page.title()).resolves.toBe('tally — delivery, last 7d');
      const forged = await page.goto(local(servicePage!.replace(/sig=[0-9a-f]{32}/, `sig=${'0'.repeat(32)}`)));
      expect(forged?.status()).toBe(403);
      const runSignature = /sig=([0-9a-f]{32})/.exec(link!)?.[1];
      const borrowed = await page.goto(`${stack.slipway.url}/services/${encodeURIComponent(run!.id)}?sig=${runSignature}`);
      expect(borrowed?.status()).toBe(403);
    } finally {
      await browser.close();
    }
  });

  it('says what to do when Slack will not take the chart, and refuses a bad window with the usage', async () => {
    stack.slack.notInChannels.add('C0DEPLOYS');
    try {
      const before = stack.slack.callsOf('chat.postEphemeral').length;
      const text = blockText(await stats('12w tally'));
      expect(text).toContain('last 12w');
      const told = await until(async () => stack.slack.callsOf('chat.postEphemeral').slice(before).find((c) => String(c.args.text).includes('chart')), 'the note that the chart failed');
      expect(told.args).toMatchObject({ channel: 'C0DEPLOYS', user: 'U0ANN' });
      expect(String(told.args.text)).toBe('The chart of tally could not be uploaded (Slack said not_in_channel). Invite slipway to this channel and ask again.');
    } finally {
      stack.slack.notInChannels.delete('C0DEPLOYS');
    }

    const uploads = stack.slack.callsOf('files.getUploadURLExternal').length;
    const tooLong = await stats('tally 400d');
    expect(tooLong.response_type).toBe('ephemeral');
    expect(JSON.stringify(tooLong)).toContain('A window is 1d to 365d (52w); 400d is 400 days.');
    expect(JSON.stringify(tooLong)).toContain('/slipway stats [service] [window]');
    const unknown = await stats('nosuch 7d');
    expect(JSON.stringify(unknown)).toContain('Unknown service \\"nosuch\\"');
    expect(stack.slack.callsOf('files.getUploadURLExternal')).toHaveLength(uploads);
  });
});
