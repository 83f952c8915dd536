import { join } from 'node:path';
import type { ImageBuildResult } from '../../core/ports.js';
import { batchedLog } from './batched-log.js';
import type { StageContext } from './stage-context.js';

/** Builds one target of the service's Dockerfile, its output going to the stage's log. */
export async function buildTarget(ctx: StageContext, { tag, target }: { tag: string; target?: string }): Promise<ImageBuildResult> {
  const source = await ctx.sourceDir();
  const output = batchedLog((lines) => ctx.log(...lines));
  const result = await ctx.images.build({
    contextDir: join(source, ctx.service.context),
    dockerfile: ctx.service.dockerfile,
    tag,
    target,
    labels: {
      'slipway.service': ctx.run.service,
      'slipway.sha': ctx.run.sha,
      'slipway.branch': ctx.run.branch,
      'slipway.run': ctx.run.id,
    },
    onLine: (line) => output.add(line),
  });
  const lost = await output.done();
  if (lost > 0) await ctx.log(`${lost} line(s) of the build's output could not be stored`);
  return result;
}
