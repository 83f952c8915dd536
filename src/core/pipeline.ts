import type { Run, Stage } from './run.js';
import { stageKind } from './run.js';

/** Stages that work from the checked-out source; their results live in one worker's engine and work dir. */
const SOURCE_STAGES = new Set(['checkout', 'validate', 'test', 'coverage', 'build']);
/** Stages a release makes unnecessary: an existing release for the sha is the image they would produce. */
const BUILD_ONCE_STAGES = new Set([...SOURCE_STAGES, 'push']);

const settled = (s: Stage) => s.status === 'passed' || s.status === 'skipped';

/**
 * A retried run resumes at push or deploy, which leave durable results (a release, a deployment). The source
 * stages are redone as a block when any of them did not finish: their work dir and test image died with the
 * worker, and cached layers make them quick.
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
