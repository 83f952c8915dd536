import { imageTag } from '../../core/naming.js';
import { buildTarget } from './build-target.js';
import { type StageContext, type StageOutcome, testImageTag } from './stage-context.js';

/** The image that runs, tagged `<branch-slug>-<short sha>` and labelled with where it came from. */
export async function buildStage(ctx: StageContext): Promise<StageOutcome> {
  const tag = imageTag(ctx.run.branch, ctx.run.sha);
  const result = await buildTarget(ctx, { tag: `${ctx.service.image}:${tag}`, target: ctx.service.buildTarget, labelled: true });
  // The test image has served its purpose (its layers stay cached for the next run).
  await ctx.images.discard({ image: testImageTag(ctx.run) });
  if (!result.ok) return { status: 'failed', cause: `build failed: ${result.error}` };
  return { status: 'passed', summary: `${ctx.service.image}:${tag}` };
}
