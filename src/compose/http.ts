import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { vegaChartRenderer } from '../adapters/charts/vega-chart-renderer.js';
import { redisProbe } from '../adapters/redis/redis-connection.js';
import { WEBHOOK_SECRET_ENVS } from '../core/git-hosts.js';
import { gitHosts } from '../adapters/git/git-hosts.js';
import type { CommandDeps } from '../../commands/slash-command.js';
import { acceptPush } from '../intake/accept-push.js';
import { BodyBudget } from '../intake/body-budget.js';
import { createHttpServer } from '../intake/http-server.js';
import { newRunId } from '../intake/run-id.js';
import { runPageRoute } from '../intake/run-page-route.js';
import { servicePageRoute } from '../intake/service-page-route.js';
import { serviceWebhookSecrets } from '../intake/service-webhook-secrets.js';
import { slackEventsRoute } from '../intake/slack-events-route.js';
import type { SlackApp } from '../intake/slack-app.js';
import { webhookRoute } from '../intake/webhook-route.js';
import { adminDashboard } from './admin.js';
import type { Closers } from './closers.js';
import type { Parts } from './parts.js';
import { pullRequestsFor } from './pull-requests.js';

/** A worker answers health and metrics only, so it can be probed and scraped like the server. */
export async function serveProbes(parts: Parts, host: string | undefined, closers: Closers): Promise<number> {
  return listen(createHttpServer({ probes: probes(parts, { docker: true }), metrics: metricsRoute(parts), log: parts.log }), parts.env.PORT, host, closers);
}

/**
 * Webhooks, Slack, run pages, health and metrics on `PORT`. `runsWork`: this process also runs the pipelines,
 * so it is ready only when the Docker engine answers too.
 */
export async function serveRequests(
  parts: Parts,
  slackApp: SlackApp | undefined,
  host: string | undefined,
  closers: Closers,
  { runsWork = true, commandDeps }: { runsWork?: boolean; /** `/deploy` comments on pull requests start runs as /deploy does */ commandDeps?: CommandDeps } = {},
): Promise<number> {
  const { env, services, stores, queue, log, now, scrub, processEnv, links, metrics } = parts;
  // One budget for every body read before it is verified, whichever route reads it.
  const budget = new BodyBudget();
  const pullRequests = pullRequestsFor(env);
  // Loaded where people are answered only: a worker's probes carry no commands.
  const pullRequestHooks = commandDeps && (await import('../intake/accept-pull-request-comment.js'));
  const server = createHttpServer({
    webhook: webhookRoute({
      hosts: gitHosts,
      secrets: Object.fromEntries(WEBHOOK_SECRET_ENVS.map((name) => [name, env[name]])),
      serviceSecrets: serviceWebhookSecrets(services, processEnv),
      services,
      budget,
      accept: (event) => acceptPush(event, { ...stores, services, queue, newRunId, now, scrub }),
      acceptComment: commandDeps && pullRequestHooks && ((event) => pullRequestHooks.acceptPullRequestHook(event, { commands: commandDeps, pullRequests, runUrl: links?.url, log })),
      log,
      answered: (host, status) => metrics.webhooks.inc({ host, result: String(status) }),
    }),
    slack: slackApp?.listener && env.SLACK_SIGNING_SECRET
      ? slackEventsRoute({ bolt: slackApp.listener, signingSecret: env.SLACK_SIGNING_SECRET, budget, log })
      : slackApp ? socketModeNote : undefined,
    runPage: links && runPageRoute({ runs: stores.runs, logs: stores.logs, links }),
    servicePage: links && servicePageRoute({ services, deployments: stores.deployments, runs: stores.runs, links, charts: vegaChartRenderer(), now, log }),
    metrics: metricsRoute(parts),
    admin: adminDashboard(parts, closers),
    probes: probes(parts, { docker: runsWork }),
    log,
  });
  return listen(server, env.PORT, host, closers);
}

/**
 * Redis always; the Docker engine where runs are worked. A `slipway server` builds and deploys nothing, so an
 * engine that does not answer does not make it unready (and it does not load the Docker client to ask).
 */
function probes({ redis, docker }: Parts, { docker: checkDocker }: { docker: boolean }) {
  const dockerCheck = {
    name: 'docker',
    async check() {
      const { dockerProbe } = await import('../adapters/docker/docker-probe.js');
      await dockerProbe(await docker()).check();
    },
  };
  return checkDocker ? [redisProbe(redis), dockerCheck] : [redisProbe(redis)];
}

const metricsRoute = ({ metrics }: Parts) => ({ contentType: metrics.registry.contentType, text: () => metrics.registry.metrics() });

async function listen(server: Server, port: number, host: string | undefined, closers: Closers): Promise<number> {
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
  closers.add(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return bound;
}

/** In Socket Mode Slack never calls the Request URL; someone who does is told why nothing is there. */
function socketModeNote(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'slipway receives Slack over Socket Mode (SLACK_APP_TOKEN is set); this URL is not used' }));
}
