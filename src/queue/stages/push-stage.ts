import { imageTag } from '../../core/naming.js';
import { pushBuildCache } from './build-cache.js';
import type { StageContext, StageOutcome } from './stage-context.js';

/** Pushes the image and records the release: the digest every environment will get. */
export async function pushStage(ctx: StageContext): Promise<StageOutcome> {
  const tag = imageTag(ctx.run.branch, ctx.run.sha);
  const image = ctx.service.image;
  let digest: string;
  // The build's cache image goes up beside the release, not after it; its failure is only logged.
  const cache = pushBuildCache(ctx, tag);
  try {
    digest = await ctx.images.push(image, tag);
  } catch (error) {
    await cache;
    const message = (error as Error).message;
    // A refused login is not a registry that is down: point at the credentials, not at the address.
    const hint = /unauthorized|authentication required|denied/i.test(message)
      ? "check the registry's credentials: usernameEnv and passwordEnv under registries in slipway.yml, else what docker login left in DOCKER_CONFIG"
      : 'is the registry running (scripts/services.sh) and is "image" right in slipway.yml?';
    return { status: 'failed', cause: `${message}; ${hint}` };
  }
  await cache;
  await ctx.log(`pushed ${image}:${tag} as ${digest}`);
  await ctx.releases.save({
    service: ctx.run.service,
    sha: ctx.run.sha,
    branch: ctx.run.branch,
    image,
    tag,
    digest,
    runId: ctx.run.id,
    createdAt: ctx.now().toISOString(),
    coverage: ctx.run.quality?.coverage,
    tests: ctx.run.quality?.tests,
  });
  return { status: 'passed', summary: `${image}@${digest.slice(0, 19)}…`, patch: { release: { image, tag, digest, reused: false } } };
}
