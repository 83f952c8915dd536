import type { Run, Stage } from './run.js';
import { stageKind } from './run.js';

/**
 * Stages whose results live in one worker's engine and work dir: the source, the test image, and the built image
 * that push sends from the engine it was built on. A worker on another host has none of them.
 */
const SOURCE_STAGES = new Set(['checkout', 'validate', 'test', 'coverage', 'build', 'push']);
/** Stages a release makes unnecessary: an existing release for the sha is the image they would produce. */
const BUILD_ONCE_STAGES = SOURCE_STAGES;

const settled = (s: Stage) => s.status === 'passed' || s.status === 'skipped';

/**
 * A retried run resumes at deploy once its release is in the registry, where every worker host can pull it.
 * Until then the stages up to push are redone as a block: the worker that takes the run over may build on
 * another engine, which has neither the work dir nor the images (on the same engine cached layers make them quick).
 */
export function resumePoint(run: Run): Run {
  const source = run.stages.filter((s) => SOURCE_STAGES.has(stageKind(s.name)));
  if (source.every(settled)) return run;
  return {
    ...run,
    stages: run.stages.map((s) =>
      SOURCE_STAGES.has(stageKind(s.name)) ? { name: s.name, status: 'pending' as const } : s,
    ),
  };
}

/** Build once: this sha already has a release, so test, build and push are skipped and its digest is reused. */
export function reuseRelease(run: Run, release: { image: string; tag: string; digest: string }, now: Date): Run {
  const at = now.toISOString();
  return {
    ...run,
    updatedAt: at,
    release: { ...release, reused: true },
    stages: run.stages.map((s) =>
      BUILD_ONCE_STAGES.has(stageKind(s.name)) && !settled(s)
        ? { ...s, status: 'skipped' as const, startedAt: at, finishedAt: at, summary: `reused release ${release.tag}` }
        : s,
    ),
  };
}

export function needsBuild(run: Run): boolean {
  return run.stages.some((s) => BUILD_ONCE_STAGES.has(stageKind(s.name)) && !settled(s));
}
