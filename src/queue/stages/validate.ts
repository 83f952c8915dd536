import { buildTarget } from './build-target.js';
import type { StageContext, StageOutcome } from './stage-context.js';

/** Builds the lint target; its output's tail is what the failure alert shows. */
export async function validate(ctx: StageContext): Promise<StageOutcome> {
  const target = ctx.service.lintTarget;
  if (!target) return { status: 'passed', summary: 'no lint target' };
  const result = await buildTarget(ctx, { tag: `slipway-lint/${ctx.run.service}:${ctx.run.id}`, target });
  if (result.ok) {
    await ctx.images.discard({ image: `slipway-lint/${ctx.run.service}:${ctx.run.id}` });
    return { status: 'passed', summary: 'lint passed' };
  }
  if (result.failedContainerId) await ctx.images.discard({ container: result.failedContainerId });
  return { status: 'failed', cause: `lint target "${target}" failed: ${result.error}` };
}
