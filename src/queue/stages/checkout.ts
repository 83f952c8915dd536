import type { StageContext, StageOutcome } from './stage-context.js';

export async function checkout(ctx: StageContext): Promise<StageOutcome> {
  const dir = await ctx.sourceDir();
  await ctx.log(`checked out ${ctx.run.sha} into ${dir}`);
  return { status: 'passed', summary: ctx.run.sha.slice(0, 7) };
}
