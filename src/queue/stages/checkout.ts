import { stageEnvironment, stageKind } from '../../core/run.js';
import { olderThanDeployed } from './replay-guard.js';
import type { StageContext, StageOutcome } from './stage-context.js';

export async function checkout(ctx: StageContext): Promise<StageOutcome> {
  const dir = await ctx.sourceDir();
  await ctx.log(`checked out ${ctx.run.sha} into ${dir}`);
  const older = await olderThanDeployed(ctx);
  if (older) return { status: 'skipped', summary: older };
  const outdated = await outdatedBranch(ctx);
  if (outdated) return { status: 'failed', cause: outdated };
  return { status: 'passed', summary: ctx.run.sha.slice(0, 7) };
}

/**
 * The outdated-branch guard: a branch that lacks commits of the default branch would silently undo merged
 * work in a shared environment. Forced runs (`/deploy force`) go through, and the log says what they undo.
 */
async function outdatedBranch(ctx: StageContext): Promise<string | undefined> {
  const { run, service } = ctx;
  const shared = run.stages
    .filter((s) => stageKind(s.name) === 'deploy')
    .map((s) => stageEnvironment(s.name) ?? '')
    .filter((env) => service.environments.some((e) => e.name === env));
  if (run.branch === service.defaultBranch || shared.length === 0) return undefined;
  const behind = await ctx.commitsBehind(service.defaultBranch);
  if (!behind) return undefined;
  const what = `${run.branch} is ${behind} commit${behind === 1 ? '' : 's'} behind ${service.defaultBranch}: deploying it to ${shared[0]} would undo merged work`;
  if (run.override) {
    await ctx.log(`${what}; forced by ${run.override.by}: ${run.override.reason}`);
    return undefined;
  }
  return `${what}. Merge ${service.defaultBranch} into it, or force with a reason: /deploy force ${run.branch} to ${shared[0]} reason: …`;
}
