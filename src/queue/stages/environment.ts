import { type EnvironmentSpec, environmentSpec } from '../../core/environment-spec.js';
import type { Run } from '../../core/run.js';
import type { StageContext } from './stage-context.js';

/** The environment the stage works on, resolved from slipway.yml; an ephemeral one gets its port allocated. */
export async function environmentOf(ctx: StageContext, environment: string): Promise<EnvironmentSpec> {
  const named = environmentSpec(ctx.service, environment);
  if (named) return named;
  const ephemeral = ctx.service.ephemeral;
  if (!ctx.run.target.ephemeral || !ephemeral) throw new Error(`${environment} is not an environment of ${ctx.run.service} in slipway.yml`);
  const port = await ctx.ports.allocate(ctx.run.service, environment, ephemeral.ports);
  const spec = environmentSpec(ctx.service, environment, port);
  if (!spec) throw new Error(`${environment} is not an environment of ${ctx.run.service} in slipway.yml`);
  return spec;
}

export const environmentLeaseKey = (service: string, environment: string) => `deploy:${service}:${environment}`;

/** A newer run headed for the same environment that has not failed: it wins, this one steps aside. */
export async function newerRun(ctx: StageContext): Promise<Run | undefined> {
  const recent = await ctx.runs.listByService(ctx.run.service, 100);
  return recent.find(
    (other) =>
      other.id !== ctx.run.id &&
      other.trigger !== 'delete' &&
      other.target.environment === ctx.run.target.environment &&
      other.createdAt > ctx.run.createdAt &&
      ['queued', 'running', 'waiting', 'passed'].includes(other.status),
  );
}
