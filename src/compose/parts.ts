import type { Queue } from 'bullmq';
import type Docker from 'dockerode';
import type { ConsoleChat } from '../adapters/console/console-chat.js';
import { registryCredentials, type RegistryAuth } from '../adapters/docker/registry-auth.js';
import { RetiringContainers } from '../adapters/docker/retiring-containers.js';
import { httpHealthChecks } from '../adapters/http/health-checks.js';
import { BullGateScheduler, BullRunQueue } from '../adapters/redis/bull-queues.js';
import { queueFigures } from '../adapters/redis/queue-figures.js';
import { loadSigningKey } from '../adapters/signing/signing-key.js';
import { runLinkKey } from '../adapters/store/redis-run-link-key.js';
import { secretVariableNames, type ServiceConfig, serviceList, type SlipwayConfig } from '../core/config-schema.js';
import type { EnvironmentSpec } from '../core/environment-spec.js';
import { type Env, secretValues } from '../core/env-schema.js';
import type { DeployTarget, Logger } from '../core/ports.js';
import { type RunLinks, runLinks } from '../core/run-links.js';
import { scrubber } from '../core/scrub.js';
import { DEFAULT_WINDOW as METRICS_WINDOW } from '../core/delivery-stats.js';
import { createMetrics, type DeliveryFigures, type Metrics } from '../metrics.js';
import { deliveryFigures } from '../queue/delivery-figures.js';
import { type Chat, openChat } from './chat.js';
import type { Closers } from './closers.js';
import { answersPeople, runsWork, type SlipwayMode } from './modes.js';
import { embeddedProxy } from './proxy.js';
import { openRedis, type RedisParts } from './redis.js';
import { redisStores, type Stores } from './stores.js';
import { deployTargets } from './targets.js';

export type PartsOptions = {
  env: Env;
  config: SlipwayConfig;
  log: Logger;
  mode: SlipwayMode;
  dataDir: string;
  processEnv: NodeJS.ProcessEnv;
  now?: () => Date;
  consoleChat?: ConsoleChat;
};

/** Everything a server and a worker are made of, built once per process. */
export type Parts = RedisParts & {
  env: Env;
  log: Logger;
  processEnv: NodeJS.ProcessEnv;
  now(): Date;
  services: readonly ServiceConfig[];
  people: SlipwayConfig['people'];
  metrics: Metrics;
  chat: Chat;
  stores: Stores;
  queue: BullRunQueue;
  gates: BullGateScheduler;
  links?: RunLinks;
  /** Approvals are signed with a key Redis never sees: whoever can write Redis cannot make one. */
  signingKey: Buffer;
  /** The variables whose values are scrubbed from logs and output (core/config-schema.ts secretVariableNames). */
  secretNames: readonly string[];
  scrub(text: string): string;
  credentials(registry: string): Promise<RegistryAuth>;
  targets(environment: EnvironmentSpec): DeployTarget;
  /**
   * The client of slipway's own Docker engine, loaded at first use: dockerode (with ssh2 and gRPC under it)
   * is some 25 MiB that a `slipway server` never needs.
   */
  docker(): Promise<Docker>;
};

export async function buildParts(options: PartsOptions, closers: Closers): Promise<Parts> {
  const { env, config, log, mode, dataDir, processEnv } = options;
  const services = serviceList(config);
  const redisParts = await openRedis(env, dataDir, log, closers);
  const { redis, queueRedis } = redisParts;
  const queue = new BullRunQueue(queueRedis);
  closers.add(() => queue.close());
  const gates = new BullGateScheduler(queueRedis, options.now);
  closers.add(() => gates.close());
  // Read at scrape time: the notifications queue joins once Slack is opened.
  const queues: Queue[] = [queue.queue, gates.queue];
  // The delivery gauges read the stores, made below; a scrape comes after start-up. Only processes that answer
  // people export them: the figures are the same from every process, and a sum over instances must not count twice.
  let delivery: DeliveryFigures = async () => [];
  const metrics = createMetrics({
    queues: () => Promise.all(queues.map((q) => queueFigures(q, new Date()))),
    delivery: answersPeople(mode) ? () => delivery() : undefined,
  });
  const chat = openChat({ env, mode, consoleChat: options.consoleChat, queueRedis, metrics, log }, closers);
  if (chat.notifications) queues.push(chat.notifications.queue);
  const links = env.SLIPWAY_PUBLIC_URL ? runLinks(await runLinkKey(redis), env.SLIPWAY_PUBLIC_URL) : undefined;
  const secretNames = secretVariableNames(config);
  const credentials = registryCredentials(config.registries, processEnv);
  const embeddedProxyAdmin = runsWork(mode) ? await embeddedProxy(services, dataDir, log, closers) : undefined;
  // Closed after the workers (closers run in reverse): the old releases their last deploys left are removed.
  const retiring = new RetiringContainers();
  closers.add(() => retiring.all());
  const stores = redisStores(redis, { env, services, events: chat.events, metrics, runUrl: links?.url, log });
  const now = options.now ?? (() => new Date());
  delivery = async () => (await Promise.all(services.map((s) => deliveryFigures(stores, s, METRICS_WINDOW, now())))).flat();
  return {
    ...redisParts,
    env,
    log,
    processEnv,
    now,
    services,
    people: config.people,
    metrics,
    chat,
    stores,
    queue,
    gates,
    links,
    signingKey: await signingKey(env, dataDir, log),
    secretNames,
    // What a pusher wrote (a commit message with a pasted token) goes to Slack, the run page and the log.
    scrub: scrubber(secretValues(env, secretNames, processEnv)),
    credentials,
    targets: deployTargets({ localDockerHost: env.DOCKER_HOST, credentials, embeddedProxyAdmin, health: httpHealthChecks, retiring }),
    docker: once(async () => (await import('../adapters/docker/docker-client.js')).dockerClient(env.DOCKER_HOST)),
  };
}

async function signingKey(env: Env, dataDir: string, log: Logger): Promise<Buffer> {
  const signing = await loadSigningKey(env.SLIPWAY_SIGNING_KEY, dataDir);
  if (signing.source === 'file') log.info({ path: signing.path }, 'SLIPWAY_SIGNING_KEY is not set: approvals are signed with the key in the data dir (server and worker must share it)');
  return signing.key;
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}
