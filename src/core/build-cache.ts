/**
 * The registry as a build cache (issue 20, part 3). A worker whose engine never built the service (a new host,
 * an emptied engine) makes the previous build of the branch available from the registry and gives it to the
 * build as its cache source, so the dependency layers are reused rather than rebuilt. Two images of a build
 * are cache: its release, and its test image (pushed under `cacheTag`), which holds the layers of stages that
 * are not in the release (a deps stage the test target is built from).
 */

/** Where the engine has an image from: built on it, pulled from a registry, or not at all. */
export type ImageOrigin = 'built' | 'pulled' | 'absent';

/** A previous build the cache can come from: the release's image and tag. */
export type CachedBuild = { image: string; tag: string };

/**
 * The tag a build's test image is pushed under, beside its release's `<branch-slug>-<short sha>`. Never a
 * release tag: those end in seven hex digits, and `cache` is not hex.
 */
export function cacheTag(releaseTag: string): string {
  return `${releaseTag}-cache`;
}

/**
 * The images to take the cache from, in the order to try them: the previous build of the branch, else of the
 * default branch. Each group holds the test image (when the service has a test target) and the release.
 */
export function cacheCandidates(
  previous: { branch?: CachedBuild; defaultBranch?: CachedBuild },
  { testImage }: { testImage: boolean },
): string[][] {
  const refs = (build: CachedBuild) => [...(testImage ? [`${build.image}:${cacheTag(build.tag)}`] : []), `${build.image}:${build.tag}`];
  const groups = [previous.branch, previous.defaultBranch]
    .filter((build): build is CachedBuild => build !== undefined)
    .map(refs);
  // The branch's previous build may be the default branch's newest (the same release): try it once.
  return groups.filter((group, i) => i === 0 || group.join() !== groups[0]?.join());
}

/**
 * The build's cache sources, given where the engine has the images of one group from; undefined when the build
 * is best left to the engine's own cache:
 * - none of the group is there (a first build): a cache source the engine lacks would turn off its own cache
 *   too (the classic builder then reuses layers of the given images only);
 * - all of it was built on this engine: its own cache already holds those layers, and naming sources would
 *   hide from it the layers of its other images (the classic builder reuses a local layer only when it is in
 *   the history of a source).
 * Else (some of it came from the registry) the sources are the group's present images, after `own`: this
 * run's earlier images (its test image), whose fresh layers the release build must reuse.
 */
export function cacheSources(group: ReadonlyArray<{ ref: string; origin: ImageOrigin }>, own: readonly string[] = []): string[] | undefined {
  const present = group.filter((image) => image.origin !== 'absent');
  if (present.length === 0 || present.every((image) => image.origin === 'built')) return undefined;
  return [...own, ...present.map((image) => image.ref)];
}
