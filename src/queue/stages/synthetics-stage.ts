import type { Environment, SyntheticCheck } from '../../core/config-schema.js';
import { checkUrl, type EnvironmentSpec } from '../../core/environment-spec.js';
import { stageEnvironment } from '../../core/run.js';
import { type CheckResult, checkLine, type CheckKind, syntheticsSummary } from '../../core/synthetics.js';
import { quarantineRolledBack } from '../quarantine.js';
import { deployRelease } from './deploy-stage.js';
import { environmentLeaseKey, environmentOf } from './environment.js';
import { environmentConfig, type StageContext, type StageOutcome } from './stage-context.js';

const MISSING: Record<CheckKind, string> = {
  datadog: 'Datadog checks need DD_API_KEY and DD_APP_KEY set on slipway',
  http: 'HTTP checks are not available',
  browser: 'browser checks are not available',
};

/**
 * The environment's synthetic checks, after its deploy. A failure stops the run (no approval is asked for);
 * in a protected environment (one behind approval), and wherever blue/green kept the previous release
 * running, the previous release is also put back. A pass retires the release the deploy replaced.
 */
export async function syntheticsStage(ctx: StageContext): Promise<StageOutcome> {
  const environment = stageEnvironment(ctx.stage) ?? ctx.run.target.environment;
  const named = environmentConfig(ctx.service, environment);
  const settings = named ?? ctx.service.ephemeral;
  const checks: readonly SyntheticCheck[] = settings?.synthetics ?? [];
  const spec = await environmentOf(ctx, environment);
  const checkTarget = { localUrl: checkUrl(spec), publicUrl: spec.url, timeoutMs: (settings?.syntheticsTimeoutSeconds ?? 600) * 1000 };

  const results: CheckResult[] = [];
  for (const kind of ['http', 'browser', 'datadog'] as const) {
    const ofKind = checks.filter((c) => c.type === kind);
    if (ofKind.length === 0) continue;
    const provider = ctx.synthetics[kind];
    if (!provider) {
      results.push(...ofKind.map((c) => ({ name: c.name ?? ('publicId' in c ? c.publicId : kind), kind, passed: false, durationMs: 0, detail: MISSING[kind] })));
      continue;
    }
    results.push(...(await provider.run(ofKind, checkTarget)));
  }

  const details = results.map(checkLine);
  await ctx.log(...results.map((r) => `${r.passed ? 'PASSED' : 'FAILED'} ${r.kind} ${r.name}: ${r.detail} (${r.durationMs} ms)`));
  for (const [index, result] of results.entries()) {
    if (result.screenshot) {
      await ctx.artifacts.save({ runId: ctx.run.id, stage: ctx.stage, name: `${index + 1}-${result.name.replace(/[^a-zA-Z0-9-]+/g, '-')}.png` }, result.screenshot);
    }
  }
  const summary = syntheticsSummary(results);
  const log = (...lines: string[]) => ctx.log(...lines);
  if (summary.passed) {
    await ctx.targets(spec).settle('keep', log);
    return { status: 'passed', summary: summary.text, details };
  }
  if (!rollsBack(named, spec)) return { status: 'failed', cause: summary.text, details };
  return { status: 'failed', cause: `${summary.text}; ${await rollBack(ctx, spec, !!named?.requireApproval)}`, details };
}

/** Whether a failed check after a deploy puts the previous release back: behind approval, or blue/green. */
export function rollsBack(named: Environment | undefined, spec: EnvironmentSpec): boolean {
  return !!named?.requireApproval || spec.strategy === 'blue-green';
}

/**
 * Puts back the release that ran before this run's, under the environment's lease: blue/green swaps back to
 * the one it kept running, recreate deploys it again. Behind approval the failed release is quarantined.
 */
export async function rollBack(ctx: StageContext, spec: EnvironmentSpec, protectedEnvironment: boolean, why = 'synthetics failed'): Promise<string> {
  const environment = spec.environment;
  const previous = (await ctx.deployments.history(ctx.run.service, environment, 200)).find(
    (d) => d.outcome === 'succeeded' && d.release.digest !== ctx.run.release?.digest,
  );
  if (!previous) return `there is no earlier release of ${environment} to roll back to`;
  const leaseKey = environmentLeaseKey(ctx.run.service, environment);
  await ctx.lease.acquire(leaseKey, ctx.run.id, 600_000);
  try {
    const by = 'slipway (automatic rollback)';
    const swapped = await ctx.targets(spec).settle('revert', (...lines) => ctx.log(...lines));
    if (swapped) {
      await ctx.deployments.record({ ...previous, runId: ctx.run.id, by, at: ctx.now().toISOString(), outcome: 'succeeded' });
    }
    const result = swapped ? { ok: true as const } : await deployRelease(ctx, spec, previous.release, by);
    await ctx.audit.record({
      at: ctx.now().toISOString(),
      service: ctx.run.service,
      environment,
      action: 'rollback',
      by: 'slipway',
      runId: ctx.run.id,
      detail: `automatic, to ${previous.release.tag}: ${why}`,
    });
    if (!result.ok) return `rolling ${environment} back to ${previous.release.tag} failed too: ${result.cause}`;
    if (!protectedEnvironment) return `${environment} is back on ${previous.release.tag}`;
    if (ctx.run.release) {
      await quarantineRolledBack(ctx, { service: ctx.run.service, environment, release: ctx.run.release, by: 'slipway', at: ctx.now(), runId: ctx.run.id });
    }
    return `${environment} was rolled back to ${previous.release.tag}; ${ctx.run.release?.tag ?? 'this release'} is quarantined there and ${environment} is locked until someone unlocks it`;
  } finally {
    await ctx.lease.release(leaseKey, ctx.run.id);
  }
}
