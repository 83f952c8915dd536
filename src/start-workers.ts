import { Worker } from 'bullmq';
import type Docker from 'dockerode';
import type { Redis } from 'ioredis';
import { dockerImageEngine } from './adapters/docker/docker-image-engine.js';
import type { RegistryAuth } from './adapters/docker/registry-auth.js';
import { readSecrets } from './adapters/secrets/read-secrets.js';
import { closeRedis, connectRedis, reportConnectionErrors } from './adapters/redis/redis-connection.js';
import { BULLMQ_PREFIX } from './adapters/store/redis-keys.js';
import { RedisLease } from './adapters/store/redis-lease.js';
import { RedisPortStore } from './adapters/store/redis-port-store.js';
import { browserChecks } from './adapters/synthetics/browser-checks.js';
import { datadogChecks } from './adapters/synthetics/datadog-checks.js';
import { httpChecks } from './adapters/synthetics/http-checks.js';
import type { ChatApi } from './core/chat-api.js';
import type { ServiceConfig } from './core/config-schema.js';
import { type Env, secretValues } from './core/env-schema.js';
import type { EnvironmentSpec } from './core/environment-spec.js';
import type {
  ApprovalStore, DeployTarget, ArtifactStore, AuditLog, DeploymentStore, FreezeStore, LockStore, LogStore, PassStore, QuarantineStore, OnceStore, ReleaseStore, RunStore,
} from './core/ports.js';
import { scrubber } from './core/scrub.js';
import { failAbandonedRuns } from './queue/abandoned-runs.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { createGateProcessor, type Gates, GATES_QUEUE } from './queue/gates.js';
import { createNotifier, NOTIFICATIONS_QUEUE, type RunEvents } from './queue/notifier.js';
import { createRunProcessor } from './queue/run-processor.js';
import { RUNS_QUEUE } from './queue/run-queue.js';

export type WorkerDeps = {
  env: Env;
  processEnv: NodeJS.ProcessEnv;
  services: readonly ServiceConfig[];
  /** The variables whose values are scrubbed from logs (core/config-schema.ts secretVariableNames). */
  secretNames: readonly string[];
  stores: {
    runs: RunStore;
    once: OnceStore;
    releases: ReleaseStore;
    deployments: DeploymentStore;
    approvals: ApprovalStore;
    locks: LockStore;
    audit: AuditLog;
    logs: LogStore;
    artifacts: ArtifactStore;
    passes: PassStore;
    quarantines: QuarantineStore;
    freezes: FreezeStore;
  };
  redis: Redis;
  redisUrl: string;
  onError(error: Error): void;
  docker: Docker;
  credentials(registry: string): Promise<RegistryAuth>;
  targets(environment: EnvironmentSpec): DeployTarget;
  gates: Gates;
  events: RunEvents;
  slack?: ChatApi;
  runUrl?(runId: string): string;
  metrics: Metrics;
  log: Logger;
  now(): Date;
  /** Signs approval requests and checks grants before deploys (core/approval-grant.ts). */
  signingKey: Buffer;
};

/**
 * The workers of one process: runs (up to SLIPWAY_WORKER_CONCURRENCY at once), approval expiries, and Slack
 * updates. Answers what closes them; closing waits for the jobs in hand.
 */
export function startWorkers(deps: WorkerDeps): (() => Promise<unknown>)[] {
  const { env, processEnv, services, secretNames, stores, redis, redisUrl, onError, docker, credentials, targets, gates, events, slack, runUrl, metrics, log, now, signingKey } = deps;
  const closers: (() => Promise<unknown>)[] = [];
  const secrets = secretValues(env, secretNames, processEnv);
  const gate = {
    services,
    runs: stores.runs,
    approvals: stores.approvals,
    deployments: stores.deployments,
    audit: stores.audit,
    locks: stores.locks,
    freezes: stores.freezes,
    events,
    gates,
    log,
    now,
    signingKey,
    notify: slack && (async (channel: string, text: string) => void (await slack.chat.postMessage({ channel, text }))),
  };
    const processor = createRunProcessor({
      ...stores,
      services,
      images: dockerImageEngine(docker, credentials),
      targets,
      secrets: (sources) => readSecrets(sources, processEnv),
      ports: new RedisPortStore(redis),
      signingKey,
      lease: new RedisLease(redis),
      gate,
      synthetics: {
        http: httpChecks,
        browser: browserChecks(env.SLIPWAY_CHROMIUM),
        datadog:
          env.DD_API_KEY && env.DD_APP_KEY
            ? datadogChecks({ apiKey: env.DD_API_KEY, appKey: env.DD_APP_KEY, site: env.DD_SITE ?? 'datadoghq.com', apiUrl: env.DATADOG_API_URL })
            : undefined,
      },
      events,
      log,
      env: processEnv,
      scrub: scrubber(secrets),
      now,
      stageEnded: (stage, status, seconds) => metrics.stageSeconds.observe({ stage, status }, seconds),
    });
    const workerRedis = connectRedis(redisUrl, { forWorker: true, onError });
    closers.push(() => closeRedis(workerRedis));
    // A run whose worker dies (SIGKILL, out of memory) is picked up by another after its lock lapses, and
    // resumes at the stage it was in; the stage that died is run again. After two such deaths it fails.
    // The same for Slack updates and gate jobs: a dead worker's job is not left to hold up the rest.
    const stalled = { lockDuration: env.SLIPWAY_STALLED_SECONDS * 1000, stalledInterval: env.SLIPWAY_STALLED_SECONDS * 1000, maxStalledCount: 2 };
    const runWorker = new Worker(RUNS_QUEUE, processor, {
      connection: workerRedis,
      prefix: BULLMQ_PREFIX,
      concurrency: env.SLIPWAY_WORKER_CONCURRENCY,
      ...stalled,
    });
    reportConnectionErrors(runWorker, onError);
    runWorker.on('stalled', (jobId) => log.warn({ jobId }, 'a run job stalled (its worker stopped); it is run again'));
    const eventsRedis = connectRedis(redisUrl, { forWorker: true, onError });
    closers.push(() => closeRedis(eventsRedis));
    closers.push(failAbandonedRuns(redis, eventsRedis, { runs: stores.runs, events, log, now }));
    runWorker.on('failed', (job, error) => log.error({ err: error, runId: job?.data.runId }, 'run job failed'));
    closers.push(() => runWorker.close());
    const gateWorker = new Worker(GATES_QUEUE, createGateProcessor(gate), { connection: workerRedis, prefix: BULLMQ_PREFIX, ...stalled });
    reportConnectionErrors(gateWorker, onError);
    closers.push(() => gateWorker.close());
    if (slack) {
      const notifier = new Worker(NOTIFICATIONS_QUEUE, createNotifier({ ...stores, redis, slack, services, log, runUrl }), {
        connection: workerRedis,
        prefix: BULLMQ_PREFIX,
        concurrency: 4,
        ...stalled,
      });
      reportConnectionErrors(notifier, onError);
      notifier.on('failed', (job, error) => {
        metrics.slackErrors.inc({ kind: 'failed_update' });
        log.warn({ err: error, runId: job?.data.runId }, 'Slack update failed; it will be retried');
      });
      closers.push(() => notifier.close());
    }
    log.info({ concurrency: env.SLIPWAY_WORKER_CONCURRENCY }, 'worker started');
  return closers;
}
