import { replaceContainer } from '../../adapters/docker/run-container.js';
import { grantAllows, TAMPERED_CAUSE } from '../../core/approval-grant.js';
import { slackTriggerOf, stageEnvironment } from '../../core/run.js';
import { admission } from './admission.js';
import { deployTarget, environmentLeaseKey, newerRun } from './deploy-target.js';
import type { DeployTarget, StageContext, StageOutcome } from './stage-context.js';

const WAIT_FOR_ENVIRONMENT_MS = 2_000;

/**
 * Puts the run's release in an environment: one deployment at a time per environment (a lease in Redis), the
 * newest run wins, and an unhealthy release is replaced by the previous container again.
 */
export async function deployStage(ctx: StageContext): Promise<StageOutcome> {
  const environment = stageEnvironment(ctx.stage) ?? ctx.run.target.environment;
  const release = ctx.run.release;
  if (!release) return { status: 'failed', cause: 'no release to deploy: the push stage did not record one' };

  const newer = await newerRun(ctx);
  if (newer) return { status: 'superseded', by: newer.id };

  // Lock, freeze, promotion order and quarantine; a locked environment takes deploys only from its holder.
  const admitted = await admission(ctx, ctx.run, ctx.service, environment);
  if (!admitted.ok) return admitted.skip ? { status: 'skipped', summary: admitted.cause } : { status: 'failed', cause: `${admitted.cause}; nothing was deployed` };
  const approver = (await ctx.approvals.get(ctx.run.id, environment))?.decidedBy;

  const target = await deployTarget(ctx, environment);
  const leaseKey = environmentLeaseKey(ctx.run.service, environment);
  const ttlMs = (target.healthTimeoutSeconds + 300) * 1000;
  if (!(await ctx.lease.acquire(leaseKey, ctx.run.id, ttlMs))) {
    await ctx.log(`${environment} is being deployed by another run; waiting`);
    return { status: 'wait', delayMs: WAIT_FOR_ENVIRONMENT_MS };
  }
  try {
    // Checked again under the lease: a newer run may have deployed while this one waited.
    const newest = await newerRun(ctx);
    if (newest) return { status: 'superseded', by: newest.id };

    // Last check before the engine is touched: an environment that needs approval takes only the digest a
    // person approved, as signed with slipway's key then. A run or request rewritten in Redis fails here.
    const settings = ctx.service.environments.find((e) => e.name === environment);
    if (settings?.requireApproval && !grantAllows(ctx.signingKey, ctx.run.id, ctx.run.grants, environment, release.digest)) {
      await ctx.audit.record({
        at: ctx.now().toISOString(),
        service: ctx.run.service,
        environment,
        action: 'tamper',
        by: 'slipway',
        runId: ctx.run.id,
        detail: `deploy refused: no valid approval for ${release.digest}`,
      });
      await ctx.log(`no valid approval signature for ${release.digest} in ${environment}`);
      return { status: 'failed', cause: TAMPERED_CAUSE };
    }
    const by = approver ?? slackTriggerOf(ctx.run) ?? ctx.run.triggeredBy.name;
    const result = await deployRelease(ctx, target, { ...release, sha: ctx.run.sha }, by);
    if (!result.ok) return { status: 'failed', cause: `${result.cause}; ${environment} stays on its previous release` };
    return { status: 'passed', summary: `${target.url} (${release.tag})` };
  } finally {
    await ctx.lease.release(leaseKey, ctx.run.id);
  }
}

/**
 * Replaces the environment's container with the release, waits for health, and records the deployment —
 * succeeded, or failed with the previous container put back. `by` is who let the release in.
 */
export async function deployRelease(
  ctx: StageContext,
  target: DeployTarget,
  release: { image: string; tag: string; digest: string; sha: string },
  by: string,
): Promise<{ ok: true } | { ok: false; cause: string }> {
  const image = `${release.image}@${release.digest}`;
  await ctx.log(`deploying ${image} to ${target.environment} (container ${target.container}, port ${target.port})`);
  const result = await replaceContainer(
    ctx.docker,
    {
      name: target.container,
      image,
      port: target.port,
      network: target.network,
      labels: {
        'slipway.service': ctx.run.service,
        'slipway.environment': target.environment,
        'slipway.run': ctx.run.id,
        'slipway.sha': release.sha,
      },
    },
    { url: `http://127.0.0.1:${target.port}${target.healthPath}`, timeoutMs: target.healthTimeoutSeconds * 1000 },
  );
  const deployment = {
    service: ctx.run.service,
    environment: target.environment,
    release: { sha: release.sha, tag: release.tag, digest: release.digest, image: release.image },
    port: target.port,
    runId: ctx.run.id,
    by,
    at: ctx.now().toISOString(),
  };
  if (!result.ok) {
    if (result.logTail) await ctx.log('container output:', ...result.logTail.split('\n'));
    await ctx.log(result.cause);
    await ctx.deployments.record({ ...deployment, outcome: 'failed', cause: result.cause });
    return { ok: false, cause: result.cause };
  }
  await ctx.deployments.record({ ...deployment, outcome: 'succeeded' });
  await ctx.log(`${target.environment} is healthy at ${target.url}`);
  return { ok: true };
}
