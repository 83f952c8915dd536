import { imageTag } from '../../core/naming.js';
import { keepTestImageAsCache } from './build-cache.js';
import { buildTarget } from './build-target.js';
import type { StageContext, StageOutcome } from './stage-context.js';

/** The image that runs, tagged `<branch-slug>-<short sha>` and labelled with where it came from. */
export async function buildStage(ctx: StageContext): Promise<StageOutcome> {
  const tag = imageTag(ctx.run.branch, ctx.run.sha);
  const result = await buildTarget(ctx, { tag: `${ctx.service.image}:${tag}`, target: ctx.service.buildTarget, labelled: true });
  // The test image has served its purpose; with a release, it stays as the build's cache image (its layers too).
  await keepTestImageAsCache(ctx, result.ok ? tag : undefined);
  if (!result.ok) return { status: 'failed', cause: `build failed: ${result.error}` };
  return { status: 'passed', summary: `${ctx.service.image}:${tag}` };
}
