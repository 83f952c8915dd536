import { cacheCandidates, cacheSources, cacheTag, type ImageOrigin } from '../../core/build-cache.js';
import { type StageContext, testImageTag } from './stage-context.js';

/**
 * The cache sources of a build of `target` (core/build-cache.ts): the previous build of the branch, else of the
 * default branch, pulled when the engine lacks it. Undefined (the engine's own cache) when the engine built it
 * itself, when there is none (a first build) or when buildCache is off. A failure is logged and the build goes
 * on without the registry's cache.
 */
export async function buildCacheFrom(ctx: StageContext, target: string | undefined): Promise<string[] | undefined> {
  const { service, run } = ctx;
  if (!service.buildCache) return undefined;
  try {
    const [branch, defaultBranch] = await Promise.all([
      ctx.releases.latestOnBranch(run.service, run.branch),
      run.branch === service.defaultBranch ? undefined : ctx.releases.latestOnBranch(run.service, service.defaultBranch),
    ]);
    for (const group of cacheCandidates({ branch, defaultBranch }, { testImage: service.testTarget !== undefined })) {
      const origins = await Promise.all(group.map(async (ref) => ({ ref, origin: await originOf(ctx, ref) })));
      if (origins.every((image) => image.origin === 'absent')) continue;
      // The release build reuses the layers this run's test build just made.
      const ownTest = service.testTarget !== undefined && target !== service.testTarget ? testImageTag(run) : undefined;
      const own = ownTest && (await ctx.images.imageOrigin(ownTest, { pull: false })) !== 'absent' ? [ownTest] : [];
      const sources = cacheSources(origins, own);
      if (sources) await ctx.log(`build cache: reusing the layers of ${origins.filter((i) => i.origin === 'pulled').map((i) => i.ref).join(' and ')} from the registry`);
      return sources;
    }
    return undefined;
  } catch (error) {
    await ctx.log(`build cache: not used (${(error as Error).message}); building without it`);
    return undefined;
  }
}

/** Where the engine has `ref` from; a pull that fails is logged and counts as absent. */
async function originOf(ctx: StageContext, ref: string): Promise<ImageOrigin> {
  try {
    return await ctx.images.imageOrigin(ref, { pull: true });
  } catch (error) {
    await ctx.log(`build cache: cannot pull ${ref} (${(error as Error).message}); building without it`);
    return 'absent';
  }
}

/**
 * After the release build: the test image is kept as the build's cache image (tagged for the push stage) when
 * the release built and buildCache is on; either way its run's tag goes.
 */
export async function keepTestImageAsCache(ctx: StageContext, releaseTag: string | undefined): Promise<void> {
  const test = testImageTag(ctx.run);
  if (releaseTag && ctx.service.buildCache && ctx.service.testTarget) {
    await ctx.images.tag(test, ctx.service.image, cacheTag(releaseTag)).catch(async (error: unknown) => {
      await ctx.log(`build cache: cannot tag the test image (${(error as Error).message}); the next build on another host rebuilds its dependencies`);
    });
  }
  await ctx.images.discard({ image: test });
}

/**
 * Pushes the build's cache image beside its release; never fails the run: without it another host's next build
 * only rebuilds the layers the release lacks. Once it is up, the branch's previous cache image leaves this
 * engine (the registry keeps it): one per branch stays, as the test images did not before.
 */
export async function pushBuildCache(ctx: StageContext, releaseTag: string): Promise<void> {
  if (!ctx.service.buildCache || !ctx.service.testTarget) return;
  const tag = cacheTag(releaseTag);
  try {
    if ((await ctx.images.imageOrigin(`${ctx.service.image}:${tag}`, { pull: false })) === 'absent') return;
    // Read before the push stage records this build's release.
    const previous = await ctx.releases.latestOnBranch(ctx.run.service, ctx.run.branch);
    await ctx.images.push(ctx.service.image, tag);
    if (previous && `${previous.image}:${previous.tag}` !== `${ctx.service.image}:${releaseTag}`) {
      // Not waited for: the release's push is what the run waits on, and discard never fails.
      void ctx.images.discard({ image: `${previous.image}:${cacheTag(previous.tag)}` });
    }
  } catch (error) {
    await ctx.log(`build cache: pushing ${ctx.service.image}:${tag} failed (${(error as Error).message}); another host's next build rebuilds the dependency layers`);
  }
}
