import { describe, expect, it } from 'vitest';
import { messageViolations } from '../helpers/block-kit-limits.js';
import { until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

const STAGING = 22100;

const config = (repoUrl: string) =>
  sampleConfig({
    service: 'blocks',
    repoUrl,
    testTarget: 'test',
    reports: { junit: '/app/reports/junit.xml' },
    image: 'slipway-blocks-sample',
    channel: '#sample',
    branches: [{ match: 'main', deploy: 'staging' }],
    staging: STAGING,
  });

const stack = useSlackStack({ config, env: { SLIPWAY_PUBLIC_URL: 'https://slipway.example.com' } });

describe('Block Kit limits against the strict fake Slack', () => {
  it('a run with a huge test log and failure cause still gets its failure alert and Retry; a refused message goes out as text', async () => {
    // 400 failing tests with long messages full of markup: a cause and a log far over every limit.
    // Markup is written as XML entities: the runner writes the messages into its JUnit report as they are.
    const tests = Array.from({ length: 400 }, (_, i) => `test ${i} ${'x'.repeat(40)}|fail:expected &lt;b&gt; &amp; ${'y'.repeat(300)}`).join('\n');
    await stack.repo.commit({ 'tests.txt': `${tests}\n`, 'www/version': 'v2-huge\n' }, 'Break everything, loudly');
    // Slack refuses the run's first message whatever it holds: it must still reach the channel, as text.
    stack.slack.refuseNext('chat.postMessage', 1, 'invalid_blocks');
    const { runId } = await stack.repo.push('main');
    // Not stack.watch.settled: it finds the run message by its blocks, and this one went out as text.
    const run = await until(async () => { const r = await stack.slipway.runs.get(runId!); return r?.status === 'failed' ? r : undefined; }, `run ${runId} to fail`);

    expect(run.status).toBe('failed');
    expect(run.failure?.stage).toBe('test');

    const alert = await until(async () => stack.slack.callsOf('chat.postMessage').find((c) => String(c.args.blocks).includes(`failure:${runId}`)), 'the failure alert');
    const blocks = JSON.parse(String(alert.args.blocks)) as unknown[];
    expect(messageViolations({ text: alert.args.text, blocks })).toEqual([]);
    expect(String(alert.args.blocks)).toContain('"action_id":"retry_run"');
    expect(String(alert.args.blocks)).toMatch(/more lines <https:\/\/slipway\.example\.com\/[^|]*\|on the run page>/);

    expect(stack.slack.refused).toEqual([expect.objectContaining({ method: 'chat.postMessage', error: 'invalid_blocks' })]);
    const fallback = stack.slack.callsOf('chat.postMessage').find((c) => String(c.args.text).includes("Slack refused this message's layout"));
    expect(fallback?.args.blocks).toBeUndefined();
    expect(String(fallback?.args.text)).toContain('https://slipway.example.com/');
    // The run's message went on being updated in place after the fallback: the job did not stop.
    await until(async () => (stack.slack.callsOf('chat.update').some((c) => String(c.args.blocks).includes(runId!) && String(c.args.text).includes('failed')) ? true : undefined), 'the run message updated to failed');
  }, 240_000);
});
