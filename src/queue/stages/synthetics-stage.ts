import type { SyntheticCheck } from '../../core/config-schema.js';
import { stageEnvironment } from '../../core/run.js';
import { type CheckResult, checkLine, type CheckKind, syntheticsSummary } from '../../core/synthetics.js';
import { quarantineRolledBack } from '../quarantine.js';
import { deployRelease } from './deploy-stage.js';
import { deployTarget, environmentLeaseKey } from './deploy-target.js';
import { environmentConfig, type StageContext, type StageOutcome } from './stage-context.js';

const MISSING: Record<CheckKind, string> = {
  datadog: 'Datadog checks need DD_API_KEY and DD_APP_KEY set on slipway',
  http: 'HTTP checks are not available',
  browser: 'browser checks are not available',
};

/**
 * The environment's synthetic checks, after its deploy. A failure stops the run (no approval is asked for);
 * in a protected environment (one behind approval) the previous release is also put back.
 */
export async function syntheticsStage(ctx: StageContext): Promise<StageOutcome> {
  const environment = stageEnvironment(ctx.stage) ?? ctx.run.target.environment;
  const named = environmentConfig(ctx.service, environment);
  const settings = named ?? ctx.service.ephemeral;
  const checks: readonly SyntheticCheck[] = settings?.synthetics ?? [];
  const target = await deployTarget(ctx, environment);
  const checkTarget = { localUrl: target.url.startsWith('http://127.0.0.1') ? target.url : `http://127.0.0.1:${target.port}`, publicUrl: target.url, timeoutMs: (settings?.syntheticsTimeoutSeconds ?? 600) * 1000 };

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
  if (summary.passed) return { status: 'passed', summary: summary.text, details };
  if (!named?.requireApproval) return { status: 'failed', cause: summary.text, details };
  return { status: 'failed', cause: `${summary.text}; ${await rollBack(ctx, environment)}`, details };
}

/** Puts back the release that ran before this run's, under the environment's lease. */
async function rollBack(ctx: StageContext, environment: string): Promise<string> {
  const previous = (await ctx.deployments.history(ctx.run.service, environment, 200)).find(
    (d) => d.outcome === 'succeeded' && d.release.digest !== ctx.run.release?.digest,
  );
  if (!previous) return `there is no earlier release of ${environment} to roll back to`;
  const leaseKey = environmentLeaseKey(ctx.run.service, environment);
  await ctx.lease.acquire(leaseKey, ctx.run.id, 600_000);
  try {
    const target = await deployTarget(ctx, environment);
    const result = await deployRelease(ctx, target, previous.release, 'slipway (automatic rollback)');
    await ctx.audit.record({
      at: ctx.now().toISOString(),
      service: ctx.run.service,
      environment,
      action: 'rollback',
      by: 'slipway',
      runId: ctx.run.id,
      detail: `automatic, to ${previous.release.tag}: synthetics failed`,
    });
    if (!result.ok) return `rolling ${environment} back to ${previous.release.tag} failed too: ${result.cause}`;
    if (ctx.run.release) {
      await quarantineRolledBack(ctx, { service: ctx.run.service, environment, release: ctx.run.release, by: 'slipway', at: ctx.now(), runId: ctx.run.id });
    }
    return `${environment} was rolled back to ${previous.release.tag}; ${ctx.run.release?.tag ?? 'this release'} is quarantined there and ${environment} is locked until someone unlocks it`;
  } finally {
    await ctx.lease.release(leaseKey, ctx.run.id);
  }
}
