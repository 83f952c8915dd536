import { networkOf } from '../../core/container-spec.js';
import { containerName } from '../../core/naming.js';
import type { Run } from '../../core/run.js';
import { type DeployTarget, environmentConfig, type StageContext } from './stage-context.js';

/** Where an environment runs: its port (allocated for ephemeral ones), health path and URL. */
export async function deployTarget(ctx: StageContext, environment: string): Promise<DeployTarget> {
  const container = containerName(ctx.run.service, environment);
  const named = environmentConfig(ctx.service, environment);
  if (named) {
    return {
      environment,
      container,
      port: named.port,
      healthPath: named.healthPath,
      healthTimeoutSeconds: named.healthTimeoutSeconds,
      url: named.url ?? `http://127.0.0.1:${named.port}`,
      network: networkOf(named, ctx.service),
    };
  }
  const ephemeral = ctx.service.ephemeral;
  if (!ctx.run.target.ephemeral || !ephemeral) throw new Error(`${environment} is not an environment of ${ctx.run.service} in slipway.yml`);
  const port = await ctx.ports.allocate(ctx.run.service, environment, ephemeral.ports);
  return {
    environment,
    container,
    port,
    healthPath: ephemeral.healthPath,
    healthTimeoutSeconds: ephemeral.healthTimeoutSeconds,
    url: `http://127.0.0.1:${port}`,
    network: networkOf(ephemeral, ctx.service),
  };
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
