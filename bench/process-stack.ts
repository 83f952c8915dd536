import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedRedis } from '../src/adapters/redis/embedded-redis.js';
import { closeRedis, connectRedis } from '../src/adapters/redis/redis-connection.js';
import { RedisRunStore } from '../src/adapters/store/redis-run-store.js';
import { parseConfig } from '../src/config.js';
import { removeContainersOf } from '../test/helpers/containers.js';
import { createSampleRepo } from '../test/helpers/sample-repo.js';
import { startSlipwayProcess } from './processes.js';

const SECRET = 'bench-gogs-secret';

/**
 * The sample repository and slipway as `npm start` runs it: one process, or a server and a worker (`split`),
 * on a Redis of its own, with a `slipway.yml` written for the repository. Pushes are not sent until the
 * benchmark connects the repository to `webhookUrl` (it may send its deliveries itself); `stop` removes it
 * all, the services' containers too.
 */
export async function startProcessStack(config: (repoUrl: string) => string, { env = {} as Record<string, string>, split = false } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-bench-'));
  const redisServer = await startEmbeddedRedis(join(dir, 'redis'));
  const redis = connectRedis(redisServer.url);
  const repo = await createSampleRepo();
  const text = config(repo.url);
  await writeFile(join(dir, 'slipway.yml'), text);
  const processEnv = { REDIS_URL: redisServer.url, SLIPWAY_CONFIG: join(dir, 'slipway.yml'), GOGS_WEBHOOK_SECRET: SECRET, DOCKER_HOST: process.env.DOCKER_HOST ?? '', ...env };
  const server = await startSlipwayProcess(processEnv, split ? 'server' : 'all');
  const worker = split ? await startSlipwayProcess(processEnv, 'worker') : undefined;
  return {
    repo,
    runs: new RedisRunStore(redis),
    server,
    worker,
    webhookUrl: `http://127.0.0.1:${server.port}/webhooks/gogs`,
    secret: SECRET,
    async stop(): Promise<void> {
      await worker?.stop();
      await server.stop();
      for (const service of Object.keys(parseConfig(text).services)) await removeContainersOf(service);
      await repo.remove();
      await closeRedis(redis);
      await redisServer.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
