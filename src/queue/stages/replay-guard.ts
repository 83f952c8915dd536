import { needsAncestryCheck } from '../../core/push-decision.js';
import { stageEnvironment, stageKind } from '../../core/run.js';
import type { StageContext } from './stage-context.js';

/** What the guard reads: the run, the deployment history, and git ancestry in the run's checkout. */
export type ReplayGuardContext = Pick<StageContext, 'run' | 'service' | 'deployments' | 'runs' | 'isAncestorOf' | 'log'>;

/** How far back the deployment history is read for the last deploy from the run's branch. */
const HISTORY_READ = 50;

/**
 * A push whose commit is an ancestor of what its branch already put in one of the run's environments: a
 * replayed or very late delivery. It is not deployed over the newer commit (a person can, with /deploy or
 * /rollback).
 */
export async function olderThanDeployed(ctx: ReplayGuardContext): Promise<string | undefined> {
  const { run, service } = ctx;
  if (run.trigger !== 'push') return undefined;
  const environments = run.stages.filter((s) => stageKind(s.name) === 'deploy').map((s) => stageEnvironment(s.name) ?? '');
  for (const environment of environments) {
    const deployed = await lastDeployedFromBranch(ctx, service.name, environment);
    if (!needsAncestryCheck(run, deployed)) continue;
    const ancestor = await ctx.isAncestorOf(deployed);
    if (ancestor === undefined) await ctx.log(`${deployed} (deployed to ${environment} from ${run.branch}) is no longer in the repository: not compared`);
    if (ancestor) {
      return `${run.sha.slice(0, 7)} is older than ${deployed.slice(0, 7)} already deployed to ${environment} from ${run.branch}: a replayed or late push is not deployed over it (a person can, with /deploy or /rollback)`;
    }
  }
  return undefined;
}

async function lastDeployedFromBranch(ctx: ReplayGuardContext, service: string, environment: string): Promise<string | undefined> {
  for (const deployment of await ctx.deployments.history(service, environment, HISTORY_READ)) {
    if (deployment.outcome !== 'succeeded') continue;
    const run = await ctx.runs.get(deployment.runId);
    if (run?.branch === ctx.run.branch) return deployment.release.sha;
  }
  return undefined;
}
