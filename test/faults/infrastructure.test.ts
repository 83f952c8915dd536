import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/core/run.js';
import { until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';
import type { TestSlipway } from '../helpers/test-slipway.js';

// What must hold when the engine or the registry is gone: the stage fails (never stuck running), its cause
// says which system and what to do, Slack is told once, and nothing is left locked or half-deployed.

/** What the next slipway deploys where, and with which environment. */
type Setup = { image: string; port: number; env?: Record<string, string> };
const config = (repoUrl: string, { image, port }: Setup) =>
  sampleConfig({ service: 'broken', repoUrl, image, staging: port });

let setup: Setup = { image: '127.0.0.1:5000/slipway-faults-broken', port: 18890 };
const stack = useSlackStack({
  config: (repoUrl) => config(repoUrl, setup),
  slackUsers: {},
  env: () => setup.env ?? {},
});

/** slipway again, on the same data, with an engine or a registry that is not there. */
async function slipwayWith(image: string, port: number, env: Record<string, string> = {}) {
  setup = { image, port, env };
  await stack.restart(undefined, { keepData: true });
  return stack.slipway;
}

async function pushAndEnd(slipway: TestSlipway, version: string): Promise<Run> {
  await stack.repo.commit({ 'www/version': `${version}\n` }, `Version ${version}`);
  const { runId } = await stack.repo.push('main');
  return until(async () => {
    const run = await slipway.runs.get(runId!);
    return run && (run.status === 'failed' || run.status === 'passed') ? run : undefined;
  }, `run ${runId} to end`);
}

const alertsFor = (runId: string) => stack.slack.callsOf('chat.postMessage').filter((c) => String(c.args.blocks).includes(runId) && String(c.args.text).includes('failed at'));

describe('infrastructure faults', { timeout: 180_000 }, () => {
  it('fails the build, saying the Docker engine is unreachable and how to fix it, when DOCKER_HOST points nowhere', async () => {
    const slipway = await slipwayWith('127.0.0.1:5000/slipway-faults-broken', 18890, { DOCKER_HOST: 'unix:///tmp/slipway-no-such-docker.sock' });
    const run = await pushAndEnd(slipway, 'no-engine');
    expect(run.status).toBe('failed');
    expect(run.failure?.stage).toBe('build');
    expect(run.failure?.cause).toMatch(/^the Docker engine is unreachable \(.*slipway-no-such-docker\.sock.*\): start it with scripts\/services\.sh or fix DOCKER_HOST$/);
    expect(run.stages.some((s) => s.status === 'running')).toBe(false);
    await until(async () => (alertsFor(run.id).length > 0 ? true : undefined), 'the alert');
    await new Promise((r) => setTimeout(r, 500));
    expect(alertsFor(run.id)).toHaveLength(1);
  });

  it('fails the push, naming the registry and what to check, when the registry is not there', async () => {
    const slipway = await slipwayWith('127.0.0.1:5999/slipway-faults-broken', 18891);
    const run = await pushAndEnd(slipway, 'no-registry');
    expect(run.status).toBe('failed');
    expect(run.failure?.stage).toBe('push');
    expect(run.failure?.cause).toMatch(/^push to 127\.0\.0\.1:5999 failed: .+; is the registry running \(scripts\/services\.sh\) and is "image" right in slipway\.yml\?$/);
    expect(run.stages.find((s) => s.name === 'deploy:staging')?.status).toBe('skipped');
    expect(await slipway.redis.exists('slipway:lock:broken:staging')).toBe(0);
    await until(async () => (alertsFor(run.id).length > 0 ? true : undefined), 'the alert');
    expect(alertsFor(run.id)).toHaveLength(1);
  });
});
