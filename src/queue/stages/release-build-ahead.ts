import type { ImageBuildResult, ImageEngine } from '../../core/ports.js';

type Started = { image: string; result: Promise<ImageBuildResult>; taken: boolean };

/**
 * The engine with a count of the builds it has in hand from this process. Building ahead only pays while the
 * engine has room: when other runs are building, its cores are busy already and a second build per run would
 * only share them more ways, so a run builds ahead only when no other build is going.
 */
export function countingBuilds<E extends Pick<ImageEngine, 'build'>>(images: E): { images: E; idle(): boolean } {
  let building = 0;
  const build = async (...args: Parameters<ImageEngine['build']>) => {
    building += 1;
    try {
      return await images.build(...args);
    } finally {
      building -= 1;
    }
  };
  return { images: { ...images, build }, idle: () => building === 0 };
}

/**
 * The release's build, started beside the tests rather than after them: the engine builds both at once, so a
 * run waits for the longer of the two, not their sum (a person at a terminal would run them one after the
 * other; a team's test suite and its image build are often minutes each). Nothing of it leaves the engine
 * before the tests and the coverage gate pass: the build stage takes it, and only the push stage pushes. When
 * the run stops before the build stage (failed tests, a cancel), `settle` waits for it and discards it.
 * One per attempt: an attempt never resumes between the tests and the push (core/pipeline.ts redoes them as a
 * block), so the build stage finds the build its own attempt started, or builds itself.
 */
export class ReleaseBuildAhead {
  private started?: Started;

  /** `engineIdle`: whether the engine has no other build of this process in hand (`countingBuilds`). */
  constructor(private readonly engineIdle: () => boolean) {}

  /** Starts `build` of `image` (its local `name:tag`) if the engine is idle and none was started in this attempt. */
  start(image: string, build: () => Promise<ImageBuildResult>): void {
    if (this.started || !this.engineIdle()) return;
    const result = build();
    // One that throws is for the build stage that takes it to deal with (it builds again).
    result.catch(() => {});
    this.started = { image, result, taken: false };
  }

  /** The started build of `image`, for the build stage to finish; undefined when none was started. */
  take(image: string): Promise<ImageBuildResult> | undefined {
    if (!this.started || this.started.image !== image || this.started.taken) return undefined;
    this.started.taken = true;
    return this.started.result;
  }

  /**
   * At the end of the attempt: a build no stage took is waited for and discarded, image or failed step's
   * container. The run's outcome is saved (and shown in Slack) before this, so nobody waits on it.
   */
  async settle(images: Pick<ImageEngine, 'discard'>, log: (line: string) => Promise<void>): Promise<void> {
    const started = this.started;
    if (!started || started.taken) return;
    started.taken = true;
    const result = await started.result.catch(() => undefined);
    if (!result) return;
    await log(`the run stopped before its build stage: ${started.image}, built beside the tests, is discarded`).catch(() => {});
    if (result.ok) await images.discard({ image: started.image });
    else if (result.failedContainerId) await images.discard({ container: result.failedContainerId });
  }
}
