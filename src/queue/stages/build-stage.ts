import { integrationImageTag, integrationTargets } from '../../core/integration-tests.js';
import type { ImageBuildResult } from '../../core/ports.js';
import { imageTag } from '../../core/naming.js';
import { keepTestImageAsCache } from './build-cache.js';
import { buildTarget } from './build-target.js';
import type { StageContext, StageOutcome } from './stage-context.js';

/** The release's build: its local `name:tag` (`<branch-slug>-<short sha>`), and the build, labelled with where it came from. */
export function releaseBuild(ctx: StageContext): { image: string; build: () => Promise<ImageBuildResult> } {
  const image = `${ctx.service.image}:${imageTag(ctx.run.branch, ctx.run.sha)}`;
  return { image, build: () => buildTarget(ctx, { tag: image, target: ctx.service.buildTarget, labelled: true }) };
}

/** The image that runs: built here, or taken from the build the attempt started beside the tests. */
export async function buildStage(ctx: StageContext): Promise<StageOutcome> {
  const tag = imageTag(ctx.run.branch, ctx.run.sha);
  const { image, build } = releaseBuild(ctx);
  const ahead = ctx.ahead?.take(image);
  // One that threw (Redis or the engine away for a moment while the tests ran) is built again, here.
  const result = await (ahead ? ahead.catch(() => build()) : build());
  // The test image has served its purpose; with a release, it stays as the build's cache image (its layers too).
  await keepTestImageAsCache(ctx, result.ok ? tag : undefined);
  if (!result.ok) return { status: 'failed', cause: `build failed: ${result.error}` };
  // Built once per run, here, next to the release: the integration stages after each deploy only run it.
  for (const target of integrationTargets(ctx.service, ctx.run.stages.map((s) => s.name))) {
    const tests = await buildTarget(ctx, { tag: integrationImageTag(ctx.run, target), target });
    if (tests.ok) continue;
    if (tests.failedContainerId) await ctx.images.discard({ container: tests.failedContainerId });
    return { status: 'failed', cause: `the integration tests' target "${target}" failed to build: ${tests.error}` };
  }
  return { status: 'passed', summary: `${ctx.service.image}:${tag}` };
}
