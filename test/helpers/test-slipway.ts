import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { closeRedis, connectRedis, reportConnectionErrors, waitForRedis } from '../../src/adapters/redis/redis-connection.js';
import { BULLMQ_PREFIX } from '../../src/adapters/redis/bull-queues.js';
import { RedisRunStore } from '../../src/adapters/store/redis-run-store.js';
import { loadEnv, parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { RUNS_QUEUE } from '../../src/core/jobs.js';
import { type SlipwayMode, startSlipway } from '../../src/slipway.js';

export const SECRETS = {
  GITHUB_WEBHOOK_SECRET: 'gh-secret-for-tests',
  GOGS_WEBHOOK_SECRET: 'gogs-secret-for-tests',
  GITLAB_WEBHOOK_TOKEN: 'gitlab-token-for-tests',
};

export const DISCOUNTS_REPO = 'https://git.example.com/acme/discounts.git';

/** The `discounts` service the intake tests deploy; the README's example has the same shape. */
export const TEST_CONFIG = `
services:
  discounts:
    repo: ${DISCOUNTS_REPO}
    testTarget: test
    reports:
      coverage: { path: /app/coverage/lcov.info, format: lcov }
      junit: /app/reports/junit.xml
    image: 127.0.0.1:5000/discounts
    network: host
    channel: "#discounts"
    channels: ["#deploys", "#sample"]   # where the fake Slack's commands and buttons come from
    branches:
      - { match: main, deploy: staging }
      - { match: "dev/feature*", deploy: ephemeral }
      - { match: "dev/fix*", deploy: ephemeral }
    environments:
      - { name: staging, port: 18080 }
      - name: production
        port: 18081
        requireApproval: true
        approvers: { users: [U0BOB] }
    ephemeral: { ports: 19000-19099 }
`;

export type LogLine = { level: number; msg: string; [key: string]: unknown };

/**
 * slipway started in this process on a free port, with its own embedded Redis in a temp dir. Intake tests run
 * the server alone, so queued runs stay queued; pipeline tests ask for `all`.
 */
export async function startTestSlipway({
  config = TEST_CONFIG,
  env = {} as Record<string, string>,
  mode = 'server' as SlipwayMode,
  processEnv = {} as NodeJS.ProcessEnv,
  /** Another instance's Redis, to restart slipway on the same data; it is left running on stop. */
  sharedRedis = undefined as EmbeddedRedis | undefined,
  /** A clock of the test's own (freeze windows). */
  now = undefined as (() => Date) | undefined,
} = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-test-'));
  const redisServer = sharedRedis ?? (await startEmbeddedRedis(join(dir, 'redis')));
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const log = createLogger({ level: 'debug', secrets: Object.values(SECRETS) }, sink);
  const slipway = await startSlipway({
    env: loadEnv({ PORT: '0', REDIS_URL: redisServer.url, DOCKER_HOST: process.env.DOCKER_HOST, ...SECRETS, ...env }),
    config: parseConfig(config),
    log,
    mode,
    processEnv,
    listenHost: '127.0.0.1',
    now,
  });
  const redis: Redis = connectRedis(redisServer.url);
  await waitForRedis(redis);
  const queue = new Queue(RUNS_QUEUE, { connection: redis, prefix: BULLMQ_PREFIX });
  reportConnectionErrors(queue); // Redis restarted by a test: the connection reconnects by itself
  return {
    url: `http://127.0.0.1:${slipway.port ?? 0}`,
    logs,
    redis,
    redisServer,
    runs: new RedisRunStore(redis),
    queue,
    /** `keepRedis` leaves the Redis running, to start slipway again on the same data. */
    async stop({ keepRedis = false } = {}) {
      await slipway.close();
      await queue.close();
      await closeRedis(redis);
      if (!sharedRedis && !keepRedis) await redisServer.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type TestSlipway = Awaited<ReturnType<typeof startTestSlipway>>;
