import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { commandHelp, commands } from '../commands/index.js';
import { dockerClient } from './adapters/docker/docker-client.js';
import { dockerProbe } from './adapters/docker/docker-probe.js';
import { gitHosts } from './adapters/git/git-hosts.js';
import { type EmbeddedRedis, startEmbeddedRedis } from './adapters/redis/embedded-redis.js';
import { closeRedis, connectRedis, redisProbe, waitForRedis } from './adapters/redis/redis-connection.js';
import { RedisOnceStore } from './adapters/store/redis-once-store.js';
import { RedisRunStore } from './adapters/store/redis-run-store.js';
import { serviceList, type SlipwayConfig } from './core/config-schema.js';
import type { Env } from './core/env-schema.js';
import { SlipwayError } from './core/errors.js';
import { acceptPush } from './intake/accept-push.js';
import { createHttpServer } from './intake/http-server.js';
import { newRunId } from './intake/run-id.js';
import { createSlackApp } from './intake/slack-app.js';
import { webhookRoute } from './intake/webhook-route.js';
import type { Logger } from './log.js';
import { BullRunQueue } from './queue/run-queue.js';

export type SlipwayOptions = {
  env: Env;
  config: SlipwayConfig;
  log: Logger;
  /** Where the embedded Redis keeps its data. */
  dataDir?: string;
  /** The interface to listen on; all of them unless told (Slack and git hosts must reach it). */
  listenHost?: string;
};

export type RunningSlipway = { port: number; close(): Promise<void> };

/** Builds the adapters, wires them into the HTTP front door, and starts listening. */
export async function startSlipway({ env, config, log, dataDir = '.slipway', listenHost }: SlipwayOptions): Promise<RunningSlipway> {
  if (env.SLACK_APP_TOKEN) {
    throw new SlipwayError('socket_mode', 'SLACK_APP_TOKEN is set, but this version has no Socket Mode yet: unset it and give Slack the Request URL <public url>/slack/events');
  }
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch((error: unknown) => log.warn({ err: error }, 'error while closing'));
  };
  try {
    let redisUrl = env.REDIS_URL;
    if (!redisUrl) {
      const embedded: EmbeddedRedis = await startEmbeddedRedis(join(dataDir, 'redis'));
      closers.push(async () => {
        await embedded.stop();
        log.info('embedded Redis stopped');
      });
      redisUrl = embedded.url;
      log.info({ url: embedded.url, dataDir: embedded.dataDir }, 'REDIS_URL is not set: started an embedded redis-server');
    }
    const redis = connectRedis(redisUrl, { onError: (error) => log.warn({ err: error }, 'Redis connection problem') });
    closers.push(() => closeRedis(redis));
    await waitForRedis(redis);

    const services = serviceList(config);
    const runs = new RedisRunStore(redis);
    const once = new RedisOnceStore(redis);
    const queue = new BullRunQueue(redis);
    closers.push(() => queue.close());
    const docker = dockerClient(env.DOCKER_HOST);

    let slack;
    if (env.SLACK_BOT_TOKEN && env.SLACK_SIGNING_SECRET) {
      slack = await createSlackApp({
        botToken: env.SLACK_BOT_TOKEN,
        signingSecret: env.SLACK_SIGNING_SECRET,
        apiUrl: env.SLACK_API_URL,
        commands,
        commandDeps: { services, runs, commands: commandHelp },
        once,
        log,
      });
    } else {
      log.info('SLACK_BOT_TOKEN is not set: Slack is off and /slack/events answers 503');
    }

    const server = createHttpServer({
      webhook: webhookRoute({
        hosts: gitHosts,
        secrets: { GITHUB_WEBHOOK_SECRET: env.GITHUB_WEBHOOK_SECRET, GOGS_WEBHOOK_SECRET: env.GOGS_WEBHOOK_SECRET, GITLAB_WEBHOOK_TOKEN: env.GITLAB_WEBHOOK_TOKEN },
        accept: (event) => acceptPush(event, { services, runs, queue, once, newRunId, now: () => new Date() }),
        log,
      }),
      slack: slack?.listener,
      probes: [redisProbe(redis), dockerProbe(docker)],
      log,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(env.PORT, listenHost, resolve);
    });
    closers.push(() => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    }));
    const port = (server.address() as AddressInfo).port;
    log.info({ port, services: services.map((s) => s.name) }, `slipway listening on port ${port}`);
    return { port, close };
  } catch (error) {
    await close();
    throw error;
  }
}
