import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebClientEvent } from '@slack/web-api';
import { commandHelp, commands } from '../commands/index.js';
import { dockerClient } from './adapters/docker/docker-client.js';
import { dockerProbe } from './adapters/docker/docker-probe.js';
import { registryCredentials } from './adapters/docker/registry-auth.js';
import { startEmbeddedCaddy } from './adapters/proxy/embedded-caddy.js';
import { gitHosts } from './adapters/git/git-hosts.js';
import { type EmbeddedRedis, startEmbeddedRedis } from './adapters/redis/embedded-redis.js';
import { loadSigningKey } from './adapters/signing/signing-key.js';
import { closeRedis, connectRedis, redisProbe, waitForRedis } from './adapters/redis/redis-connection.js';
import { slackClient } from './adapters/slack/slack-client.js';
import { slackDirectory, type SlackDirectory } from './adapters/slack/slack-directory.js';
import { remoteHead } from './adapters/git/remote-head.js';
import { RedisApprovalStore } from './adapters/store/redis-approval-store.js';
import { RedisArtifactStore } from './adapters/store/redis-artifact-store.js';
import { RedisAuditLog } from './adapters/store/redis-audit-log.js';
import { RedisDeploymentStore } from './adapters/store/redis-deployment-store.js';
import { RedisLockStore } from './adapters/store/redis-lock-store.js';
import { RedisLogStore } from './adapters/store/redis-log-store.js';
import { RedisPassStore } from './adapters/store/redis-pass-store.js';
import { RedisFreezeStore } from './adapters/store/redis-freeze-store.js';
import { RedisPushLog } from './adapters/store/redis-push-log.js';
import { RedisQuarantineStore } from './adapters/store/redis-quarantine-store.js';
import { RedisOnceStore } from './adapters/store/redis-once-store.js';
import { RedisReleaseStore } from './adapters/store/redis-release-store.js';
import { RedisRunStore } from './adapters/store/redis-run-store.js';
import { commitStatuses } from './adapters/git/commit-statuses.js';
import { githubDeployments } from './adapters/git/github-deployments.js';
import { createMetrics } from './metrics.js';
import { observeRuns } from './observe-runs.js';
import { secretVariableNames, type ServiceConfig, serviceList, type SlipwayConfig } from './core/config-schema.js';
import { environmentSpec } from './core/environment-spec.js';
import { WEBHOOK_SECRET_ENVS } from './core/git-hosts.js';
import { type Env, secretValues } from './core/env-schema.js';
import { scrubber } from './core/scrub.js';
import { deployTargets, needsEmbeddedProxy } from './deploy-targets.js';
import type { Lock } from './core/approval-policy.js';
import { acceptPush } from './intake/accept-push.js';
import { decideApproval } from './intake/approval-decision.js';
import { confirmRollback } from './intake/rollback.js';
import { createHttpServer } from './intake/http-server.js';
import { retryRun } from './intake/retry-run.js';
import { runLinks } from './intake/run-links.js';
import { runPageRoute } from './intake/run-page-route.js';
import { newRunId } from './intake/run-id.js';
import { startConsole } from './intake/console.js';
import type { ApprovalClick } from './intake/approval-decision.js';
import type { RollbackRequest } from './intake/rollback.js';
import type { ConsoleChat } from './adapters/console/console-chat.js';
import type { ChatApi } from './core/chat-api.js';
import type { Readable } from 'node:stream';
import { webhookRoute } from './intake/webhook-route.js';
import { BodyBudget } from './intake/body-budget.js';
import { slackEventsRoute } from './intake/slack-events-route.js';
import { serviceWebhookSecrets } from './intake/service-webhook-secrets.js';
import type { Logger } from './log.js';
import { Gates } from './queue/gates.js';
import { BullRunEvents, type RunEvents } from './queue/notifier.js';
import { BullRunQueue } from './queue/run-queue.js';

/** `server` answers HTTP, `worker` runs pipelines and Slack updates, `all` (the default) does both. */
export type SlipwayMode = 'all' | 'server' | 'worker';

export type SlipwayOptions = {
  env: Env;
  config: SlipwayConfig;
  log: Logger;
  mode?: SlipwayMode;
  /** Where the embedded Redis keeps its data. */
  dataDir?: string;
  /** The interface to listen on; all of them unless told (Slack and git hosts must reach it). */
  listenHost?: string;
  /** Where clone tokens named by `cloneTokenEnv` are read from. */
  processEnv?: NodeJS.ProcessEnv;
  /** The clock freeze windows and expiries are read against; tests set a fixed one. */
  now?: () => Date;
  /** Local mode: a console chat in place of Slack (used when no SLACK_BOT_TOKEN is set). */
  console?: { chat: ConsoleChat; input: Readable; write(text: string): void; push?(message: string): Promise<string> };
};

export type RunningSlipway = { port?: number; close(): Promise<void> };

/** Builds the adapters and starts what the mode asks for; `close` stops it all in reverse order. */
export async function startSlipway(options: SlipwayOptions): Promise<RunningSlipway> {
  const { env, config, log, mode = 'all', dataDir = '.slipway', processEnv = process.env } = options;
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
      // The URL carries the password: the log names the address only.
      log.info({ address: embedded.address, dataDir: embedded.dataDir }, 'REDIS_URL is not set: started an embedded redis-server (password in its data dir)');
    }
    const onError = (error: Error) => log.warn({ err: error }, 'Redis connection problem');
    const redis = connectRedis(redisUrl, { onError });
    closers.push(() => closeRedis(redis));
    await waitForRedis(redis);

    const services = serviceList(config);
    const metrics = createMetrics(async () => {
      const depth: Record<string, Record<string, number>> = {};
      for (const q of [queue.queue, gates.queue, ...(bullEvents ? [bullEvents.queue] : [])]) {
        depth[q.name] = await q.getJobCounts('waiting', 'active', 'delayed', 'failed');
      }
      return depth;
    });
    const links = env.SLIPWAY_PUBLIC_URL ? await runLinks(redis, env.SLIPWAY_PUBLIC_URL) : undefined;
    const runUrl = links?.url;
    const statuses = commitStatuses({
      github: env.GITHUB_TOKEN ? { token: env.GITHUB_TOKEN, apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com' } : undefined,
      gitea: env.GITEA_TOKEN && env.GITEA_API_URL ? { token: env.GITEA_TOKEN, apiUrl: env.GITEA_API_URL } : undefined,
      runUrl,
    });
    const deployments = env.GITHUB_TOKEN
      ? githubDeployments({ token: env.GITHUB_TOKEN, apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com', redis, services, runUrl })
      : undefined;
    const runs = observeRuns(new RedisRunStore(redis), { metrics, statuses, deployments, log });
    const once = new RedisOnceStore(redis);
    const queue = new BullRunQueue(redis);
    closers.push(() => queue.close());
    const gates = new Gates(redis, options.now);
    closers.push(() => gates.close());
    const stores = {
      runs,
      once,
      releases: new RedisReleaseStore(redis),
      deployments: new RedisDeploymentStore(redis),
      approvals: new RedisApprovalStore(redis),
      locks: new RedisLockStore(redis),
      audit: new RedisAuditLog(redis),
      logs: new RedisLogStore(redis),
      artifacts: new RedisArtifactStore(redis),
      passes: new RedisPassStore(redis),
      quarantines: new RedisQuarantineStore(redis),
      freezes: new RedisFreezeStore(redis),
    };
    const docker = dockerClient(env.DOCKER_HOST);
    const slackWeb = env.SLACK_BOT_TOKEN ? slackClient(env.SLACK_BOT_TOKEN, env.SLACK_API_URL, log) : undefined;
    slackWeb?.on(WebClientEvent.RATE_LIMITED, () => metrics.slackErrors.inc({ kind: 'rate_limited' }));
    // Where messages go: Slack, or in local mode the console.
    const slack: ChatApi | undefined = slackWeb ?? (mode === 'all' ? options.console?.chat : undefined);
    let events: RunEvents = { changed: async () => {} };
    let bullEvents: BullRunEvents | undefined;
    if (slack) {
      bullEvents = new BullRunEvents(redis);
      const opened = bullEvents;
      closers.push(() => opened.close());
      events = bullEvents;
    } else {
      log.info('SLACK_BOT_TOKEN is not set: Slack is off, /slack/events answers 503 and runs post no messages');
    }
    const now = options.now ?? (() => new Date());
    // Approvals are signed with a key Redis never sees: whoever can write Redis cannot make one.
    const signing = await loadSigningKey(env.SLIPWAY_SIGNING_KEY, dataDir);
    const signingKey = signing.key;
    if (signing.source === 'file') log.info({ path: signing.path }, 'SLIPWAY_SIGNING_KEY is not set: approvals are signed with the key in the data dir (server and worker must share it)');
    // What a pusher wrote (a commit message with a pasted token) goes to Slack, the run page and the log.
    const pushes = new RedisPushLog(redis);
    const secretNames = secretVariableNames(config);
    const scrub = scrubber(secretValues(env, secretNames, processEnv));
    const credentials = registryCredentials(config.registries, processEnv);
    let embeddedProxyAdmin: string | undefined;
    if ((mode === 'all' || mode === 'worker') && needsEmbeddedProxy(services)) {
      const caddy = await startEmbeddedCaddy(join(dataDir, 'caddy'));
      if (!caddy.adopted) {
        closers.push(async () => {
          await caddy.stop();
          log.info('embedded Caddy stopped');
        });
      }
      embeddedProxyAdmin = caddy.adminUrl;
      log.info(
        { admin: caddy.adminUrl, stateDir: caddy.stateDir },
        caddy.adopted
          ? 'a blue-green environment names no proxy.admin: using the embedded Caddy an earlier slipway left running (it keeps running after slipway stops)'
          : 'a blue-green environment names no proxy.admin: started an embedded Caddy (admin API on a unix socket in its state dir)',
      );
      if (caddy.warning) log.warn(caddy.warning);
    }
    const targets = deployTargets({ localDockerHost: env.DOCKER_HOST, credentials, embeddedProxyAdmin });
    const directory: SlackDirectory = slack ? slackDirectory(slack) : { userIdByEmail: async () => undefined, groupMembers: async () => new Set() };

    if (mode === 'all' || mode === 'worker') {
      // Loaded only where runs are worked (and Bolt only where Slack is answered): a server and a worker each
      // keep the memory of what they do, not of the other's half.
      const { startWorkers } = await import('./start-workers.js');
      closers.push(...startWorkers({ env, processEnv, services, secretNames, stores, redis, redisUrl, onError, docker, credentials, targets, gates, events, slack, runUrl, metrics, log, now, signingKey }));
    }
    const metricsRoute = { contentType: metrics.registry.contentType, text: () => metrics.registry.metrics() };
    const probes = [redisProbe(redis), dockerProbe(docker)];
    if (mode === 'worker') {
      // A worker answers health and metrics only, so it can be probed and scraped like the server.
      const server = createHttpServer({ probes, metrics: metricsRoute, log });
      const port = await listen(server, env.PORT, options.listenHost);
      closers.push(() => closeServer(server));
      log.info({ port, mode }, `slipway worker answering health and metrics on port ${port}`);
      return { port, close };
    }

    const actionDeps = { ...stores, services, people: config.people, queue, events, directory, newRunId, now, signingKey };
    const commandDeps = {
      ...actionDeps,
      commands: commandHelp,
      remindLockHolder: (lock: Lock, at: Date) => gates.remindLockHolder(lock, at),
      targetStatus: async (service: ServiceConfig, environment: string) => {
        const spec = environmentSpec(service, environment);
        return spec ? targets(spec).status() : { health: 'unknown' };
      },
      branchHead: (service: ServiceConfig, url: string, branch: string) =>
        remoteHead(url, branch, { token: service.cloneTokenEnv ? processEnv[service.cloneTokenEnv] : undefined }),
    };
    // What a Slack button or its console choice does: the same functions either way.
    const actions = {
      retry: (runId: string, by: { name: string; username: string }, retryOptions?: { fromFailedStage?: boolean }) => retryRun(runId, by, actionDeps, retryOptions),
      decide: (click: ApprovalClick) => decideApproval(click, actionDeps),
      rollback: (request: RollbackRequest, user: { id: string; name: string }, buttonId: string) => confirmRollback(request, user, buttonId, actionDeps),
    };
    const slackApp = env.SLACK_BOT_TOKEN && (env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN)
      ? await (await import('./intake/slack-app.js')).createSlackApp({
          botToken: env.SLACK_BOT_TOKEN,
          signingSecret: env.SLACK_SIGNING_SECRET,
          appToken: env.SLACK_APP_TOKEN,
          apiUrl: env.SLACK_API_URL,
          commands,
          commandDeps,
          once,
          log,
          ...actions,
          commandAnswered: (command, result) => metrics.commands.inc({ command, result }),
        })
      : undefined;
    if (slackApp) closers.push(() => slackApp.stop());

    // One budget for every body read before it is verified, whichever route reads it.
    const bodies = new BodyBudget();
    const server = createHttpServer({
      webhook: webhookRoute({
        hosts: gitHosts,
        secrets: Object.fromEntries(WEBHOOK_SECRET_ENVS.map((name) => [name, env[name]])),
        serviceSecrets: serviceWebhookSecrets(services, processEnv),
        services,
        budget: bodies,
        accept: (event) => acceptPush(event, { services, runs, queue, events, once, newRunId, now, scrub, pushes }),
        log,
        answered: (host, status) => metrics.webhooks.inc({ host, result: String(status) }),
      }),
      slack: slackApp?.listener && env.SLACK_SIGNING_SECRET
        ? slackEventsRoute({ bolt: slackApp.listener, signingSecret: env.SLACK_SIGNING_SECRET, budget: bodies, log })
        : slackApp ? socketModeNote : undefined,
      runPage: links && runPageRoute({ runs, logs: stores.logs, links }),
      metrics: metricsRoute,
      probes,
      log,
    });
    const port = await listen(server, env.PORT, options.listenHost);
    closers.push(() => closeServer(server));
    if (!slackWeb && options.console && mode === 'all') {
      startConsole({ ...options.console, ...actions, commands, commandDeps, log });
    }
    log.info({ port, mode, services: services.map((s) => s.name) }, `slipway listening on port ${port}`);
    return { port, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function listen(server: Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** In Socket Mode Slack never calls the Request URL; someone who does is told why nothing is there. */
function socketModeNote(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'slipway receives Slack over Socket Mode (SLACK_APP_TOKEN is set); this URL is not used' }));
}
