import { grantAllows, TAMPERED_CAUSE } from '../../core/approval-grant.js';
import type { EnvironmentSpec } from '../../core/environment-spec.js';
import { releaseEnvironment } from '../../core/releases/versioning.js';
import { type Run, slackTriggerOf, stageEnvironment } from '../../core/run.js';
import { runtimePrint } from '../../core/runtime-print.js';
import { scrubber } from '../../core/scrub.js';
import { checksAfterDeploy } from '../../core/integration-tests.js';
import { admission } from './admission.js';
import { environmentLeaseKey, environmentOf, newerRun } from './environment.js';
import type { StageContext, StageOutcome } from './stage-context.js';

const WAIT_FOR_ENVIRONMENT_MS = 2_000;

/**
 * Puts the run's release in an environment: one deployment at a time per environment (a lease in Redis), the
 * newest run wins, and an unhealthy release leaves the previous one serving.
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

  const spec = await environmentOf(ctx, environment);
  const leaseKey = environmentLeaseKey(ctx.run.service, environment);
  // An orchestrator's rollout may take its whole deploy timeout, and then its rollback about as long.
  const orchestrated = spec.target && 'deployTimeoutSeconds' in spec.target ? 2 * spec.target.deployTimeoutSeconds + 120 : 0;
  const ttlMs = (spec.healthTimeoutSeconds + spec.drainSeconds + 300 + orchestrated) * 1000;
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
    const result = await deployRelease(ctx, spec, { ...release, sha: ctx.run.sha }, by);
    if (!result.ok) return { status: 'failed', cause: `${result.cause}; ${environment} stays on its previous release` };
    const again = await versionAgain(ctx, environment);
    const patch = again ? { patch: { version: again } } : {};
    if (result.alreadyLive) return { status: 'passed', summary: `already live: ${spec.url} (${release.tag}${again ? `, ${again.tag} again` : ''})`, ...patch };
    // With no checks to come in this run (none configured, or a rollback), the release the deploy replaced is
    // retired now: blue/green kept it running for them.
    if (checksAfterDeploy(ctx.run.stages, environment).length === 0) await ctx.targets(spec).settle('keep', (...lines) => ctx.log(...lines));
    return { status: 'passed', summary: `${spec.url} (${release.tag}${again ? `, ${again.tag} again` : ''})`, ...patch };
  } finally {
    await ctx.lease.release(leaseKey, ctx.run.id);
  }
}

/** A rollback of the release environment makes no version: it names the version that runs there again. */
async function versionAgain(ctx: StageContext, environment: string): Promise<Run['version']> {
  if (ctx.run.trigger !== 'rollback' || releaseEnvironment(ctx.service) !== environment) return undefined;
  const version = await ctx.versions.ofSha(ctx.run.service, ctx.run.sha);
  return version && { version: version.version, tag: version.tag, environment, again: true };
}

/**
 * Puts the release in the environment through its target, with its secrets read just before, and records the
 * deployment: succeeded, or failed with the previous release still serving. `by` is who let the release in.
 */
export async function deployRelease(
  ctx: StageContext,
  spec: EnvironmentSpec,
  release: { image: string; tag: string; digest: string; sha: string },
  by: string,
): Promise<{ ok: true; alreadyLive?: true } | { ok: false; cause: string }> {
  const deployment = {
    service: ctx.run.service,
    environment: spec.environment,
    release: { sha: release.sha, tag: release.tag, digest: release.digest, image: release.image },
    port: spec.port,
    runId: ctx.run.id,
    by,
    at: ctx.now().toISOString(),
  };
  // Nothing is touched before every secret is there: a half-configured release never starts.
  const secrets = await ctx.secrets(spec.runtime.secrets);
  if (!secrets.ok) {
    await ctx.log(secrets.cause);
    await ctx.deployments.record({ ...deployment, outcome: 'failed', cause: secrets.cause });
    return { ok: false, cause: secrets.cause };
  }
  // The values are in memory from here on; whatever an engine or a container says back is scrubbed of them.
  const scrub = scrubber(Object.values(secrets.values));
  const log = (...lines: string[]) => ctx.log(...lines.map(scrub));
  const target = ctx.targets(spec);
  const image = `${release.image}@${release.digest}`;
  const print = runtimePrint(ctx.signingKey, spec, secrets.values);
  // The same digest with the same settings, healthy: replacing it would only cost time (and a moment of no service).
  if (await target.alreadyLive(image, print)) {
    await log(`${release.tag} is already live in ${spec.environment} with these settings, and healthy: nothing replaced`);
    return { ok: true, alreadyLive: true };
  }
  await log(`deploying ${image} to ${spec.environment} (${target.where}, ${spec.strategy})`);
  const result = await target.place({ image, tag: release.tag, sha: release.sha, runId: ctx.run.id, secrets: secrets.values, print }, log);
  if (!result.ok) {
    const cause = scrub(result.cause);
    if (result.logTail) await log('container output:', ...result.logTail.split('\n'));
    await log(cause);
    await ctx.deployments.record({ ...deployment, outcome: 'failed', cause });
    return { ok: false, cause };
  }
  await ctx.deployments.record({ ...deployment, outcome: 'succeeded' });
  await log(`${spec.environment} is healthy at ${spec.url}`);
  return { ok: true };
}
