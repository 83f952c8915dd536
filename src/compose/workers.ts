import { type Processor, Worker } from 'bullmq';
import type Docker from 'dockerode';
import { dockerImageEngine } from '../adapters/docker/docker-image-engine.js';
import { registryOf } from '../adapters/docker/registry-auth.js';
import { checkoutOf } from '../adapters/git/checkout.js';
import { BULLMQ_PREFIX } from '../adapters/redis/bull-queues.js';
import { onGivenUpJobs } from '../adapters/redis/given-up-jobs.js';
import { closeRedis, connectRedis, reportConnectionErrors } from '../adapters/redis/redis-connection.js';
import { readSecrets } from '../adapters/secrets/read-secrets.js';
import { RedisLease } from '../adapters/store/redis-lease.js';
import { RedisPortStore } from '../adapters/store/redis-port-store.js';
import { RedisPostedMessages } from '../adapters/store/redis-posted-messages.js';
import { browserChecks } from '../adapters/synthetics/browser-checks.js';
import { datadogChecks } from '../adapters/synthetics/datadog-checks.js';
import { httpChecks } from '../adapters/synthetics/http-checks.js';
import { GATES_QUEUE, NOTIFICATIONS_QUEUE, RUNS_QUEUE } from '../core/jobs.js';
import type { ChatApi } from '../core/ports.js';
import { imageAttributes, traced } from '../core/tracing.js';
import { failAbandonedRun } from '../queue/abandoned-runs.js';
import { createGateProcessor, type GateDeps } from '../queue/gates.js';
import { createNotifier } from '../queue/notifier.js';
import { createRunProcessor } from '../queue/run-processor.js';
import type { Closers } from './closers.js';
import type { Parts } from './parts.js';
import { releaseTools } from './releases.js';

/**
 * The workers of one process: runs (up to SLIPWAY_WORKER_CONCURRENCY at once), approval expiries and lock
 * reminders, and Slack updates. Closing waits for the jobs in hand.
 */
export async function startWorkers(parts: Parts, closers: Closers): Promise<void> {
  const { env, redisUrl, onError, log } = parts;
  const docker = await parts.docker();
  const connection = connectRedis(redisUrl, { forWorker: true, onError });
  closers.add(() => closeRedis(connection));
  const start = <Data>(queue: string, processor: Processor<Data>, concurrency = 1) => {
    // A job whose worker dies (SIGKILL, out of memory) is picked up by another after its lock lapses, and
    // resumes at the stage it was in; after two such deaths it fails. The same for gate and Slack jobs.
    const stalledMs = env.SLIPWAY_STALLED_SECONDS * 1000;
    const worker = new Worker<Data>(queue, processor, {
      connection,
      prefix: BULLMQ_PREFIX,
      concurrency,
      lockDuration: stalledMs,
      stalledInterval: stalledMs,
      maxStalledCount: 2,
    });
    reportConnectionErrors(worker, onError);
    closers.add(() => worker.close());
    return worker;
  };
  const gate = gateDeps(parts);
  const runs = start(RUNS_QUEUE, runProcessor(parts, docker, gate), env.SLIPWAY_WORKER_CONCURRENCY);
  runs.on('stalled', (jobId) => log.warn({ jobId }, 'a run job stalled (its worker stopped); it is run again'));
  runs.on('failed', (job, error) => log.error({ err: error, runId: job?.data.runId }, 'run job failed'));
  failRunsOfGivenUpJobs(parts, closers);
  start(GATES_QUEUE, createGateProcessor(gate));
  const slack = parts.chat.slack;
  if (slack) {
    const notifier = start(NOTIFICATIONS_QUEUE, notificationProcessor(parts, slack), 4);
    notifier.on('failed', (job, error) => {
      parts.metrics.slackErrors.inc({ kind: 'failed_update' });
      log.warn({ err: error, runId: job?.data.runId }, 'Slack update failed; it will be retried');
    });
  }
  log.info({ concurrency: env.SLIPWAY_WORKER_CONCURRENCY }, 'worker started');
}

function gateDeps({ services, stores, gates, log, now, signingKey, chat }: Parts): GateDeps {
  const slack = chat.slack;
  return {
    ...stores,
    services,
    gates,
    log,
    now,
    signingKey,
    notify: slack && (async (channel: string, text: string) => void (await slack.chat.postMessage({ channel, text }))),
  };
}

function runProcessor(parts: Parts, docker: Docker, gate: GateDeps) {
  const { env, processEnv, stores, redis, credentials, targets, services, log, now, signingKey, scrub, metrics } = parts;
  return createRunProcessor({
    ...stores,
    services,
    // Each call to an outside system is a span of the stage that made it (core/tracing.ts).
    images: traced(dockerImageEngine(docker, credentials), 'docker', { describe: (operation, [image, tag]) => (operation === 'push' ? imageAttributes(image, tag, registryOf) : undefined) }),
    targets: (environment) => traced(targets(environment), environment.target?.kind ?? 'docker', { attributes: { 'deployment.environment.name': environment.environment } }),
    secrets: (sources) => readSecrets(sources, processEnv),
    checkout: checkoutOf,
    ports: new RedisPortStore(redis),
    lease: new RedisLease(redis),
    signingKey,
    gate,
    releasing: tracedReleaseTools(releaseTools(env, credentials)),
    synthetics: {
      http: httpChecks,
      browser: browserChecks(env.SLIPWAY_CHROMIUM),
      datadog:
        env.DD_API_KEY && env.DD_APP_KEY
          ? traced(datadogChecks({ apiKey: env.DD_API_KEY, appKey: env.DD_APP_KEY, site: env.DD_SITE ?? 'datadoghq.com', apiUrl: env.DATADOG_API_URL }), 'datadog')
          : undefined,
    },
    log,
    env: processEnv,
    scrub,
    now,
    stageEnded: (stage, status, seconds, labels) => metrics.stageSeconds.observe({ stage, status, ...labels }, seconds),
  });
}

function tracedReleaseTools({ hosts, images }: ReturnType<typeof releaseTools>): ReturnType<typeof releaseTools> {
  return { hosts: traced(hosts, 'git host', { only: ['tag', 'release'] }), images: traced(images, 'registry', { describe: (_, [image, , tag]) => imageAttributes(image, tag, registryOf) }) };
}

function notificationProcessor({ stores, redis, chat, services, log, links }: Parts, slack: ChatApi) {
  return createNotifier({ ...stores, posted: new RedisPostedMessages(redis), directory: chat.directory, slack, services, log, runUrl: links?.url });
}

/** A run is never left "running" when BullMQ gives up on its job: every worker listens, the first saves it. */
function failRunsOfGivenUpJobs({ queueRedis, redisUrl, onError, stores, log, now }: Parts, closers: Closers): void {
  const eventsConnection = connectRedis(redisUrl, { forWorker: true, onError });
  closers.add(() => closeRedis(eventsConnection));
  closers.add(
    onGivenUpJobs(
      RUNS_QUEUE,
      { connection: queueRedis, eventsConnection },
      (data, failedReason) => failAbandonedRun(data, failedReason, { runs: stores.runs, log, now }),
      (error, jobId) => log.error({ err: error, jobId }, 'cannot fail the run of a failed job'),
    ),
  );
}
