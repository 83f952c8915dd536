import { join } from 'node:path';
import type { ImageBuildResult } from '../../core/ports.js';
import { batchedLog } from './batched-log.js';
import { buildCacheFrom } from './build-cache.js';
import type { StageContext } from './stage-context.js';

/**
 * Builds one target of the service's Dockerfile, its output going to the stage's log. Only the release is
 * `labelled` with its run: the engine adds build labels as one more step, never cached (the run differs each
 * time), and the test and lint images are slipway's own, never run anywhere.
 */
export async function buildTarget(ctx: StageContext, { tag, target, labelled = false }: { tag: string; target?: string; labelled?: boolean }): Promise<ImageBuildResult> {
  const source = await ctx.sourceDir();
  const output = batchedLog((lines) => ctx.log(...lines));
  const result = await ctx.images.build({
    contextDir: join(source, ctx.service.context),
    dockerfile: ctx.service.dockerfile,
    tag,
    target,
    cacheFrom: await buildCacheFrom(ctx, target),
    labels: labelled ? {
      'slipway.service': ctx.run.service,
      'slipway.sha': ctx.run.sha,
      'slipway.branch': ctx.run.branch,
      'slipway.run': ctx.run.id,
    } : undefined,
    onLine: (line) => output.add(line),
  });
  const lost = await output.done();
  if (lost > 0) await ctx.log(`${lost} line(s) of the build's output could not be stored`);
  return result;
}
