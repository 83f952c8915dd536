import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { served, until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

// What must hold when Redis restarts in the middle of a run: slipway reconnects by itself, the run finishes,
// it is deployed once, and Slack shows one message for it, not two.
const PORT = 18896;

const config = (repoUrl: string) =>
  sampleConfig({ service: 'restarted', repoUrl, testTarget: 'test', image: 'slipway-faults-restarted', staging: { port: PORT, healthTimeoutSeconds: 10 } });

// The Redis the test restarts under slipway: started before the stack, stopped after it.
let dir: string;
let redis: EmbeddedRedis;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-faults-redis-'));
  redis = await startEmbeddedRedis(join(dir, 'redis'));
});
afterAll(async () => {
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const stack = useSlackStack({ config, slackUsers: {}, env: { SLIPWAY_STALLED_SECONDS: '5' }, redis: () => redis });

describe('Redis restarted mid-run', { timeout: 180_000 }, () => {
  it('reconnects, finishes the run, deploys it once and posts its message once', async () => {
    await stack.repo.commit({ 'www/version': 'after-restart\n', slow: '4\n' }, 'Slow tests, during which Redis restarts');
    const { runId } = await stack.repo.push('main');
    await until(async () => ((await stack.slipway.runs.get(runId!))?.stages.find((s) => s.name === 'test')?.status === 'running' ? true : undefined), 'the tests to run');

    await redis.stop();
    await new Promise((r) => setTimeout(r, 2_000));
    redis = await startEmbeddedRedis(redis.dataDir, { port: redis.port });
    // Every connection reconnects by itself, this test's too; slipway says when it is ready again.
    await until(async () => (stack.slipway.redis.status === 'ready' ? true : undefined), 'the test connection to reconnect');
    await until(async () => ((await fetch(`${stack.slipway.url}/readyz`)).status === 200 ? true : undefined), 'slipway to be ready again');

    const run = await stack.watch.settled(runId!, { status: 'passed' });
    expect(run.stages.every((s) => s.status === 'passed')).toBe(true);
    expect(await served(PORT)).toBe('after-restart');
    expect(stack.watch.topLevelPosts(runId!)).toHaveLength(1);
    const history = await stack.slipway.redis.lrange('slipway:deployments:restarted:staging', 0, -1);
    expect(history.filter((d) => d.includes(runId!))).toHaveLength(1);
    expect((await fetch(`${stack.slipway.url}/readyz`)).status).toBe(200);
  });
});
