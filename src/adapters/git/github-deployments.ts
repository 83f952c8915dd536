import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceConfig } from '../../core/config-schema.js';
import { type DeploymentState, deploymentStates, movesForward } from '../../core/deployment-state.js';
import type { HostDeployment, HostDeploymentRecords } from '../../core/ports.js';
import type { Run } from '../../core/run.js';
import { octokitFor } from './octokit.js';

export type GitHubDeploymentOptions = {
  token: string;
  apiUrl: string;
  /** Ids and the last state sent, shared by every slipway process. */
  records: HostDeploymentRecords;
  services: readonly ServiceConfig[];
  runUrl?(runId: string): string;
};


/**
 * Records a GitHub run's deployments through the Deployments API, so GitHub shows where each commit is
 * deployed: one deployment per run and environment, moved through queued, in_progress, success or failure,
 * and inactive when the run ends without it or the environment is torn down. Ids and the last state sent
 * are shared records (Redis), since the server (approvals) and a worker (stages) both report on the same run.
 */
export function githubDeployments(options: GitHubDeploymentOptions) {
  const octokit = octokitFor({ token: options.token, apiUrl: options.apiUrl });
  const { records } = options;

  /** The run's deployment for the environment: created once, by whichever process claims it first. */
  async function deploymentOf(run: Run, owner: string, repo: string, environment: string): Promise<HostDeployment> {
    if (await records.claim(run.id, environment)) {
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
        const created: HostDeployment = { id: data.id };
        await records.set(run.id, environment, created);
        return created;
      } catch (error) {
        await records.forget(run.id, environment);
        throw error;
      }
    }
    // Another process is creating it: its id is there within moments.
    for (let i = 0; i < 100; i += 1) {
      const found = await records.get(run.id, environment);
      if (found === undefined) return deploymentOf(run, owner, repo, environment);
      if (found !== 'creating') return found;
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
        const before = await records.get(run.id, environment);
        if (before === undefined && state !== 'queued' && !started) continue; // never queued: nothing to record
        const deployment = before === undefined || before === 'creating' ? await deploymentOf(run, owner, repo, environment) : before;
        if (!movesForward(deployment.state, state)) continue;
        const url = service?.environments.find((e) => e.name === environment)?.url;
        const stage = run.stages.find((s) => s.name === `deploy:${environment}`);
        await setState(owner, repo, deployment.id, state, {
          environment_url: state === 'success' ? url : undefined,
          log_url: options.runUrl?.(run.id),
          description: stage?.summary ?? run.failure?.cause ?? `${state.replace('_', ' ')}: run ${run.id}`,
        });
        await records.set(run.id, environment, { id: deployment.id, state });
        if (state === 'success') await records.setLive(run.service, environment, { owner, repo, id: deployment.id });
      }
      for (const environment of retired) {
        const live = await records.takeLive(run.service, environment);
        if (live) await setState(live.owner, live.repo, live.id, 'inactive', { description: `${environment} torn down by run ${run.id}` });
      }
    },
  };
}
