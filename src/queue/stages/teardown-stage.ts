import { stageEnvironment } from '../../core/run.js';
import { environmentLeaseKey, environmentOf } from './environment.js';
import type { StageContext, StageOutcome } from './stage-context.js';

/** A deleted branch's ephemeral environment: its container goes, its port returns to the range. */
export async function teardownStage(ctx: StageContext): Promise<StageOutcome> {
  const environment = stageEnvironment(ctx.stage) ?? ctx.run.target.environment;
  const leaseKey = environmentLeaseKey(ctx.run.service, environment);
  if (!(await ctx.lease.acquire(leaseKey, ctx.run.id, 120_000))) return { status: 'wait', delayMs: 2_000 };
  try {
    const current = await ctx.deployments.current(ctx.run.service, environment);
    const removed = await ctx.targets(await environmentOf(ctx, environment)).remove();
    const port = await ctx.ports.get(ctx.run.service, environment);
    await ctx.ports.free(ctx.run.service, environment);
    if (current) {
      await ctx.deployments.record({ ...current, runId: ctx.run.id, by: ctx.run.triggeredBy.name, at: ctx.now().toISOString(), outcome: 'torn down' });
    }
    await ctx.log(removed ? `removed ${environment}${port ? ` and freed port ${port}` : ''}` : `${environment} had no container`);
    return { status: 'passed', summary: removed ? `${environment} removed` : `${environment} was already gone` };
  } finally {
    await ctx.lease.release(leaseKey, ctx.run.id);
  }
}
