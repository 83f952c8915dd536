import type { Redis } from 'ioredis';
import { commitStatuses } from '../adapters/git/commit-statuses.js';
import { githubDeployments } from '../adapters/git/github-deployments.js';
import { pullRequestAnswers } from '../adapters/git/pull-request-answers.js';
import { announcingStores } from '../adapters/store/announcing-stores.js';
import { RedisApprovalStore } from '../adapters/store/redis-approval-store.js';
import { RedisArtifactStore } from '../adapters/store/redis-artifact-store.js';
import { RedisAuditLog } from '../adapters/store/redis-audit-log.js';
import { RedisDeploymentStore } from '../adapters/store/redis-deployment-store.js';
import { RedisFreezeStore } from '../adapters/store/redis-freeze-store.js';
import { RedisHostDeployments } from '../adapters/store/redis-host-deployments.js';
import { RedisLockStore } from '../adapters/store/redis-lock-store.js';
import { RedisLogStore } from '../adapters/store/redis-log-store.js';
import { RedisOnceStore } from '../adapters/store/redis-once-store.js';
import { RedisPassStore } from '../adapters/store/redis-pass-store.js';
import { RedisPushLog } from '../adapters/store/redis-push-log.js';
import { RedisQuarantineStore } from '../adapters/store/redis-quarantine-store.js';
import { RedisReleaseStore } from '../adapters/store/redis-release-store.js';
import { RedisRunStore } from '../adapters/store/redis-run-store.js';
import { RedisVersionStore } from '../adapters/store/redis-version-store.js';
import type { ServiceConfig } from '../core/config-schema.js';
import type { Env } from '../core/env-schema.js';
import type { Logger, RunEvents } from '../core/ports.js';
import type { Metrics } from '../metrics.js';
import { observeRuns } from './observe-runs.js';
import { pullRequestsFor } from './pull-requests.js';

export type Stores = ReturnType<typeof redisStores>;

/**
 * Every store, on Redis. Runs are observed (metrics, commit statuses, GitHub deployments) and every change to a
 * run, an approval or a lock is announced to Slack by the stores themselves.
 */
export function redisStores(
  redis: Redis,
  { env, services, events, metrics, runUrl, log }: { env: Env; services: readonly ServiceConfig[]; events: RunEvents; metrics: Metrics; runUrl?(runId: string): string; log: Logger },
) {
  const githubApi = env.GITHUB_API_URL ?? 'https://api.github.com';
  const statuses = commitStatuses({
    github: env.GITHUB_TOKEN ? { token: env.GITHUB_TOKEN, apiUrl: githubApi } : undefined,
    gitea: env.GITEA_TOKEN && env.GITEA_API_URL ? { token: env.GITEA_TOKEN, apiUrl: env.GITEA_API_URL } : undefined,
    runUrl,
  });
  const deployments = env.GITHUB_TOKEN
    ? githubDeployments({ token: env.GITHUB_TOKEN, apiUrl: githubApi, records: new RedisHostDeployments(redis), services, runUrl })
    : undefined;
  const stores = {
    runs: observeRuns(new RedisRunStore(redis), { metrics, statuses, deployments, answers: pullRequestAnswers({ api: pullRequestsFor(env), runUrl }), log }),
    once: new RedisOnceStore(redis),
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
    pushes: new RedisPushLog(redis),
    versions: new RedisVersionStore(redis),
  };
  return announcingStores(stores, events, (error, runId) => log.warn({ err: error, runId }, 'cannot queue the Slack update'));
}
