import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { ServiceConfig } from '../../core/config-schema.js';
import { type DeploymentState, deploymentStates, movesForward } from '../../core/deployment-state.js';
import type { Run } from '../../core/run.js';
import { keys } from '../store/redis-keys.js';
import { octokitFor } from './octokit.js';

export type GitHubDeploymentOptions = {
  token: string;
  apiUrl: string;
  redis: Redis;
  services: readonly ServiceConfig[];
  runUrl?(runId: string): string;
};

type Known = { id: number; state?: DeploymentState };
const CREATING = 'creating';
const KEEP_SECONDS = 30 * 24 * 3600;

/**
 * Records a GitHub run's deployments through the Deployments API, so GitHub shows where each commit is
 * deployed: one deployment per run and environment, moved through queued, in_progress, success or failure,
 * and inactive when the run ends without it or the environment is torn down. Ids and the last state sent
 * live in Redis, since the server (approvals) and a worker (stages) both report on the same run.
 */
export function githubDeployments(options: GitHubDeploymentOptions) {
  const octokit = octokitFor({ token: options.token, apiUrl: options.apiUrl });
  const { redis } = options;

  const known = async (runId: string, environment: string): Promise<Known | typeof CREATING | undefined> => {
    const raw = await redis.hget(keys.githubDeployments(runId), environment);
    return raw === null ? undefined : raw === CREATING ? CREATING : (JSON.parse(raw) as Known);
  };

  /** The run's deployment for the environment: created once, by whichever process claims it first. */
  async function deploymentOf(run: Run, owner: string, repo: string, environment: string): Promise<Known> {
    const key = keys.githubDeployments(run.id);
    if (await redis.hsetnx(key, environment, CREATING)) {
      await redis.expire(key, KEEP_SECONDS);
      try {
        const service = options.services.find((s) => s.name === run.service);
        const last = service?.environments.at(-1)?.name;
        const { data } = await (await octokit()).rest.repos.createDeployment({
          owner,
          repo,
          ref: run.sha,
          environment,
          description: `slipway run ${run.id}`.slice(0, 140),
          auto_merge: false,
          // slipway's own commit status is still pending while it deploys: it must not hold the deployment up.
          required_contexts: [],
          payload: { runId: run.id },
          transient_environment: run.target.ephemeral,
          production_environment: !run.target.ephemeral && environment === last,
        });
        if (!('id' in data)) throw new Error(`GitHub did not create the deployment: ${data.message ?? 'no id'}`);
        const created: Known = { id: data.id };
        await redis.hset(key, environment, JSON.stringify(created));
        return created;
      } catch (error) {
        await redis.hdel(key, environment);
        throw error;
      }
    }
    // Another process is creating it: its id is there within moments.
    for (let i = 0; i < 100; i += 1) {
      const found = await known(run.id, environment);
      if (found === undefined) return deploymentOf(run, owner, repo, environment);
      if (found !== CREATING) return found;
      await sleep(100);
    }
    throw new Error(`the GitHub deployment of ${run.id} to ${environment} was not created in time`);
  }

  async function setState(owner: string, repo: string, id: number, state: DeploymentState, extra: { environment_url?: string; log_url?: string; description: string }) {
    await (await octokit()).rest.repos.createDeploymentStatus({ owner, repo, deployment_id: id, state, ...extra, description: extra.description.slice(0, 140) });
  }

  return {
    async report(run: Run): Promise<void> {
      const [owner, repo] = run.source?.fullName.split('/') ?? [];
      if (run.source?.host !== 'github' || !owner || !repo || !/^[0-9a-f]{40}$/.test(run.sha)) return;
      const service = options.services.find((s) => s.name === run.service);
      const { deployments, retired } = deploymentStates(run);
      for (const { environment, state, started } of deployments) {
        const before = await known(run.id, environment);
        if (before === undefined && state !== 'queued' && !started) continue; // never queued: nothing to record
        const deployment = before === undefined || before === CREATING ? await deploymentOf(run, owner, repo, environment) : before;
        if (!movesForward(deployment.state, state)) continue;
        const url = service?.environments.find((e) => e.name === environment)?.url;
        const stage = run.stages.find((s) => s.name === `deploy:${environment}`);
        await setState(owner, repo, deployment.id, state, {
          environment_url: state === 'success' ? url : undefined,
          log_url: options.runUrl?.(run.id),
          description: stage?.summary ?? run.failure?.cause ?? `${state.replace('_', ' ')}: run ${run.id}`,
        });
        await redis.hset(keys.githubDeployments(run.id), environment, JSON.stringify({ id: deployment.id, state }));
        if (state === 'success') {
          await redis.set(keys.liveGithubDeployment(run.service, environment), JSON.stringify({ owner, repo, id: deployment.id }), 'EX', 365 * 24 * 3600);
        }
      }
      for (const environment of retired) {
        const live = await redis.getdel(keys.liveGithubDeployment(run.service, environment));
        if (!live) continue;
        const { owner: o, repo: r, id } = JSON.parse(live) as { owner: string; repo: string; id: number };
        await setState(o, r, id, 'inactive', { description: `${environment} torn down by run ${run.id}` });
      }
    },
  };
}
