import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { removeContainersOf } from '../helpers/containers.js';
import { RunWatch, served, until } from '../helpers/run-watch.js';
import { createSampleRepo, type SampleRepo } from '../helpers/sample-repo.js';
import { SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';

// What must hold when Redis restarts in the middle of a run: slipway reconnects by itself, the run finishes,
// it is deployed once, and Slack shows one message for it, not two.
const TOKEN = 'xoxb-faults-redis';
const PORT = 18896;

let repo: SampleRepo;
let slack: FakeSlack;
let redis: EmbeddedRedis;
let slipway: TestSlipway;
const watch = new RunWatch(() => slipway, () => slack);

beforeAll(async () => {
  repo = await createSampleRepo();
  slack = new FakeSlack({ token: TOKEN });
  await slack.start();
  redis = await startEmbeddedRedis(`${repo.dir}/redis`);
  slipway = await startTestSlipway({
    config: `
services:
  restarted:
    repo: ${repo.url}
    testTarget: test
    buildTarget: app
    image: 127.0.0.1:5000/slipway-faults-restarted
    network: host
    channel: "#restarted"
    environments:
      - { name: staging, port: ${PORT}, healthTimeoutSeconds: 10 }
`,
    env: { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'faults-redis-signing', SLACK_API_URL: slack.url, SLIPWAY_STALLED_SECONDS: '5' },
    mode: 'all',
    sharedRedis: { ...redis, stop: async () => {} },
  });
  await repo.connect(`${slipway.url}/webhooks/gogs`, SECRETS.GOGS_WEBHOOK_SECRET);
}, 60_000);

afterAll(async () => {
  await slipway?.stop();
  await redis?.stop();
  await slack?.stop();
  await removeContainersOf('restarted');
  await repo?.remove();
});

afterEach(() => {
  expect(slack.unexpected).toEqual([]);
});

describe('Redis restarted mid-run', { timeout: 180_000 }, () => {
  it('reconnects, finishes the run, deploys it once and posts its message once', async () => {
    await repo.commit({ 'www/version': 'after-restart\n', slow: '4\n' }, 'Slow tests, during which Redis restarts');
    const { runId } = await repo.push('main');
    await until(async () => ((await slipway.runs.get(runId!))?.stages.find((s) => s.name === 'test')?.status === 'running' ? true : undefined), 'the tests to run');

    await redis.stop();
    await new Promise((r) => setTimeout(r, 2_000));
    redis = await startEmbeddedRedis(redis.dataDir, { port: redis.port });
    // Every connection reconnects by itself, this test's too; slipway says when it is ready again.
    await until(async () => (slipway.redis.status === 'ready' ? true : undefined), 'the test connection to reconnect');
    await until(async () => ((await fetch(`${slipway.url}/readyz`)).status === 200 ? true : undefined), 'slipway to be ready again');

    const run = await watch.settled(runId!, { status: 'passed' });
    expect(run.stages.every((s) => s.status === 'passed')).toBe(true);
    expect(await served(PORT)).toBe('after-restart');
    expect(watch.topLevelPosts(runId!)).toHaveLength(1);
    const history = await slipway.redis.lrange('slipway:deployments:restarted:staging', 0, -1);
    expect(history.filter((d) => d.includes(runId!))).toHaveLength(1);
    expect((await fetch(`${slipway.url}/readyz`)).status).toBe(200);
  });
});
