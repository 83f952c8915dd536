import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { ServiceConfig } from '../core/config-schema.js';
import { needsBuild, resumePoint, reuseRelease } from '../core/pipeline.js';
import { configuredCloneUrl } from '../core/repo-match.js';
import { checksAfterDeploy, integrationImageTag, integrationTargets } from '../core/integration-tests.js';
import { RUNS_QUEUE, RunJobData } from '../core/jobs.js';
import { stageEnvironmentLabel } from '../core/metric-labels.js';
import { ATTR, contextFrom, inSpan, SpanKind, SpanStatusCode } from '../core/tracing.js';
import type { CheckoutSource, LogStore, Logger, OnceStore, SourceCheckout } from '../core/ports.js';
import {
  cancelKey, cancelRun, completeRun, failRun, isFinished, nextStage, parkRun, passStage, type Run, skipRestOfRun, stageEnvironment, startStage, stageKind,
  supersedeRun,
} from '../core/run.js';
import { type GateDeps, openGate } from './gates.js';
import { admission } from './stages/admission.js';
import { buildStage, releaseBuild } from './stages/build-stage.js';
import { checkout } from './stages/checkout.js';
import { coverageStage } from './stages/coverage-stage.js';
import { deployStage } from './stages/deploy-stage.js';
import { integrationStage } from './stages/integration-stage.js';
import { pushStage } from './stages/push-stage.js';
import { countingBuilds, ReleaseBuildAhead } from './stages/release-build-ahead.js';
import { releaseStage } from './stages/release-stage.js';
import { syntheticsStage } from './stages/synthetics-stage.js';
import type { StageContext, StageOutcome, StageTools } from './stages/stage-context.js';
import { teardownStage } from './stages/teardown-stage.js';
import { testStage } from './stages/test-stage.js';
import { validate } from './stages/validate.js';
import { olderThanDeployed } from './stages/replay-guard.js';

const RUNNERS: Record<string, (ctx: StageContext) => Promise<StageOutcome>> = {
  checkout,
  validate,
  test: testStage,
  coverage: coverageStage,
  build: buildStage,
  push: pushStage,
  deploy: deployStage,
  integration: integrationStage,
  synthetics: syntheticsStage,
  teardown: teardownStage,
  release: releaseStage,
};

export type RunProcessorDeps = StageTools & {
  services: readonly ServiceConfig[];
  logs: LogStore;
  /** Where `/slipway cancel` leaves its request for a running run. */
  once: OnceStore;
  gate: GateDeps;
  /** A checkout of the run's commit, cloned when a stage first asks for it. */
  checkout(source: CheckoutSource): SourceCheckout;
  log: Logger;
  /** Environment variables clone tokens are read from. */
  env: Readonly<Record<string, string | undefined>>;
  scrub(text: string): string;
  now(): Date;
  /** Told each stage's end, for metrics. */
  stageEnded?(stage: string, status: string, seconds: number, labels: { service: string; environment: string }): void;
};

/** One attempt at a run: what its steps share. `save` stores each transition before the next step. */
type Attempt = {
  job: Job<RunJobData>;
  token?: string;
  service: ServiceConfig;
  source: SourceCheckout;
  log: Logger;
  deps: RunProcessorDeps;
  run(): Run;
  save(next: Run): Promise<void>;
  /** The release's build when this attempt started it beside the tests. */
  ahead: ReleaseBuildAhead;
};

/** Whether the run goes on to its next stage or this job is done with it (ended, parked or handed back). */
type Step = 'go on' | 'stop';

/**
 * Carries a run through its stages. The run record in the store is the truth about progress: each transition
 * is saved (and so shown in Slack) before the next stage starts, so a retried job resumes where the last one
 * stopped.
 */
export function createRunProcessor(given: RunProcessorDeps) {
  const engine = countingBuilds(given.images);
  const deps: RunProcessorDeps = { ...given, images: engine.images };
  return async (job: Job<RunJobData>, token?: string): Promise<void> => {
    const { runId } = RunJobData.parse(job.data);
    let run = await deps.runs.get(runId);
    if (!run) throw new UnrecoverableError(`run ${runId} is not in the store`);
    if (isFinished(run)) return;
    const save = async (next: Run) => {
      run = next;
      await deps.runs.save(next);
    };
    const service = deps.services.find((s) => s.name === run?.service);
    if (!service) {
      await save(failRun(run, nextStage(run)?.name ?? 'checkout', `service ${run.service} is no longer in slipway.yml`, deps.now()));
      return;
    }
    // The code comes from where config says now, never from a URL stored with the run (a payload's, once).
    const cloneToken = service.cloneTokenEnv ? deps.env[service.cloneTokenEnv] : undefined;
    const source = deps.checkout({ url: configuredCloneUrl(service, run.source?.host), sha: run.sha, token: cloneToken });
    run = resumePoint(run);
    const attempt: Attempt = { job, token, service, source, log: deps.log.child({ runId }), deps, run: () => run!, save, ahead: new ReleaseBuildAhead(engine.idle) };
    // Each attempt (the first job, the one after each gate) joins the trace of the request that started the run.
    const attributes = {
      [ATTR.runId]: runId, [ATTR.service]: service.name, [ATTR.messagingSystem]: 'bullmq', [ATTR.messagingDestination]: RUNS_QUEUE, [ATTR.messagingOperation]: 'process',
    };
    const parent = contextFrom({ traceparent: run.traceparent });
    await inSpan(`process ${RUNS_QUEUE}`, { kind: SpanKind.CONSUMER, attributes, parent, notFailure: (e) => e instanceof DelayedError }, () => attemptRun(attempt));
  };
}

/** The stages of one attempt, from where the run stands. */
async function attemptRun(attempt: Attempt): Promise<void> {
  const { deps, service, source, save, run } = attempt;
  try {
    if ((await reuseBuiltRelease(attempt)) === 'stop') return;
    for (let stage = nextStage(run()); stage; stage = nextStage(run())) {
      if ((await takeStep(attempt, stage.name)) === 'stop') return;
    }
    await save(completeRun(run(), deps.now()));
    attempt.log.info('run passed');
  } finally {
    // Before the checkout goes: a release build started beside tests that then failed still reads it.
    await attempt.ahead.settle(deps.images, (line) => deps.logs.append(run().id, 'build', [line]));
    await source.remove();
    // The integration tests' images are this attempt's: a later one (another worker, after a gate) builds its own.
    for (const target of integrationTargets(service, run().stages.map((s) => s.name))) await deps.images.discard({ image: integrationImageTag(run(), target) });
  }
}

/**
 * A sha built before (another branch, a retry) is not built again: its release is reused. Reusing skips the
 * checkout, not the replay guard: an old push must not bring its old image back.
 */
async function reuseBuiltRelease({ run, save, deps, service, source, log }: Attempt): Promise<Step> {
  if (!needsBuild(run())) return 'go on';
  const existing = await deps.releases.get(run().service, run().sha);
  if (!existing) return 'go on';
  let older: string | undefined;
  try {
    const stageLog = async (...lines: string[]) => deps.logs.append(run().id, 'checkout', lines.map(deps.scrub));
    older = await olderThanDeployed({ ...deps, run: run(), service, isAncestorOf: (of) => source.isAncestorOf(of), log: stageLog });
  } catch (error) {
    await save(failRun(run(), 'checkout', deps.scrub(describe(error)), deps.now()));
    return 'stop';
  }
  if (older) {
    log.info({ why: older }, 'rest of the run skipped');
    await save(completeRun(skipRestOfRun(run(), older, deps.now()), deps.now()));
    return 'stop';
  }
  log.info({ digest: existing.digest }, 'release exists for this sha: reusing it');
  await save(reuseRelease(run(), existing, deps.now()));
  return 'go on';
}

/** One stage: a cancel asked for stops the run first; an approval gate parks it; any other stage runs. */
async function takeStep(attempt: Attempt, stage: string): Promise<Step> {
  const { run, save, deps, log } = attempt;
  const cancelledBy = await deps.once.peek(cancelKey(run().id));
  if (cancelledBy !== undefined) {
    log.info({ by: cancelledBy }, 'run cancelled');
    await save(cancelRun(run(), cancelledBy, deps.now()));
    return 'stop';
  }
  return stageKind(stage) === 'approval' ? atGate(attempt, stage) : runAndRecord(attempt, stage);
}

/**
 * Nobody is asked to approve what could not go in: a frozen environment, a skipped step. A locked one parks
 * the run at its gate: the card says who holds the lock, and only they may approve.
 */
async function atGate({ run, save, deps, service, log }: Attempt, stage: string): Promise<Step> {
  const admitted = await admission(deps, run(), service, stageEnvironment(stage) ?? '', { atGate: true });
  if (!admitted.ok && admitted.skip) {
    await save(completeRun(skipRestOfRun(run(), admitted.cause, deps.now()), deps.now()));
    return 'stop';
  }
  if (!admitted.ok) {
    await save(failRun(run(), stage, admitted.cause, deps.now()));
    return 'stop';
  }
  if ((await openGate(run(), stage, deps.gate)) === 'not needed') {
    await save(passStage(run(), stage, deps.now(), 'no approval needed: the freeze is over'));
    return 'go on';
  }
  await save(parkRun(run(), stage, deps.now()));
  log.info({ stage }, 'run parked at its approval gate');
  return 'stop';
}

/** Runs the stage and stores what came of it. */
async function runAndRecord({ job, token, run, save, deps, service, source, log, ahead }: Attempt, stage: string): Promise<Step> {
  const kind = stageKind(stage);
  // One round trip for both: the job's note of its stage is only read by a later attempt.
  await Promise.all([save(startStage(run(), stage, deps.now())), job.updateData({ runId: run().id, stage } satisfies RunJobData)]);
  log.info({ stage }, 'stage started');
  const startedAt = deps.now();
  const attributes = { [ATTR.runId]: run().id, [ATTR.service]: service.name, [ATTR.stage]: stage };
  const outcome = await inSpan(`stage ${stage}`, { attributes }, async (span) => {
    if (kind === 'test') buildReleaseAhead({ run, service, source, deps, ahead });
    const result = await runStage(kind, stage, run(), service, source, deps, ahead);
    span.setAttribute(ATTR.stageStatus, result.status);
    if (result.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: result.cause.slice(0, 200) });
    return result;
  });
  const now = deps.now();
  if (outcome.status !== 'wait') {
    deps.stageEnded?.(kind, outcome.status, (now.getTime() - startedAt.getTime()) / 1000, { service: run().service, environment: stageEnvironmentLabel(run(), stage) });
  }
  switch (outcome.status) {
    case 'passed':
      await save({ ...passStage(run(), stage, now, outcome.summary, outcome.details), ...outcome.patch });
      await recordPass(run(), stage, deps);
      return 'go on';
    case 'skipped':
      log.info({ stage, why: outcome.summary }, 'rest of the run skipped');
      await save(completeRun(skipRestOfRun(run(), outcome.summary, now), now));
      return 'stop';
    case 'failed':
      log.info({ stage, cause: outcome.cause }, 'stage failed');
      await deps.logs.append(run().id, stage, [deps.scrub(outcome.cause)]);
      await save(failRun(run(), stage, deps.scrub(outcome.cause), now, outcome.details?.map(deps.scrub)));
      return 'stop';
    case 'cancelled':
      log.info({ stage, by: outcome.by }, 'run cancelled');
      await save(cancelRun(run(), outcome.by, now));
      return 'stop';
    case 'superseded':
      log.info({ by: outcome.by }, 'run superseded');
      await save(supersedeRun(run(), outcome.by, now));
      return 'stop';
    case 'wait':
      // The environment is busy: give the worker slot back and come back to this stage later.
      await save({ ...run(), stages: run().stages.map((s) => (s.name === stage ? { name: s.name, status: 'pending' as const } : s)) });
      await job.moveToDelayed(Date.now() + outcome.delayMs, token);
      throw new DelayedError();
  }
}

/** As the tests start: the release's build beside them, when the run builds one and the engine has room. */
function buildReleaseAhead({ run, service, source, deps, ahead }: Pick<Attempt, 'run' | 'service' | 'source' | 'deps' | 'ahead'>): void {
  if (!service.testTarget || !run().stages.some((s) => s.name === 'build' && s.status === 'pending')) return;
  const { image, build } = releaseBuild(stageContext('build', run(), service, source, deps, ahead));
  ahead.start(image, build);
}

async function runStage(
  kind: string,
  name: string,
  run: Run,
  service: ServiceConfig,
  source: SourceCheckout,
  deps: RunProcessorDeps,
  ahead: ReleaseBuildAhead,
): Promise<StageOutcome> {
  const runner = RUNNERS[kind];
  if (!runner) return { status: 'failed', cause: `slipway does not know a "${kind}" stage` };
  try {
    return await runner(stageContext(name, run, service, source, deps, ahead));
  } catch (error) {
    // An outside system failing (git, the engine, the registry) fails the stage with what it said.
    return { status: 'failed', cause: describe(error) };
  }
}

/** What stage `name` sees: the engine, stores and providers of `deps` (its type keeps it to those), and its own log. */
function stageContext(name: string, run: Run, service: ServiceConfig, source: SourceCheckout, deps: RunProcessorDeps, ahead: ReleaseBuildAhead): StageContext {
  return {
    ...deps,
    run,
    service,
    stage: name,
    sourceDir: () => source.sourceDir(),
    commitsBehind: (branch) => source.commitsBehind(branch),
    isAncestorOf: (of) => source.isAncestorOf(of),
    commitsSince: (from, limit) => source.commitsSince(from, limit),
    pushTag: (tag) => source.pushTag(tag),
    log: (...lines) => deps.logs.append(run.id, name, lines.map(deps.scrub)),
    cancelRequested: () => deps.once.peek(cancelKey(run.id)),
    now: deps.now,
    ahead,
  };
}

/**
 * A release got through an environment when its deploy passed and, if the run checks it there, its synthetics
 * too: what promotion order asks of the next environment. Rollbacks prove nothing new.
 */
async function recordPass(run: Run, stage: string, deps: RunProcessorDeps): Promise<void> {
  const environment = stageEnvironment(stage);
  const kind = stageKind(stage);
  if (!environment || !run.release || run.trigger === 'rollback') return;
  const lastCheck = checksAfterDeploy(run.stages, environment).at(-1);
  if ((kind === 'deploy' && !lastCheck) || stage === lastCheck) await deps.passes.record(run.service, run.release.digest, environment);
}

function describe(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  if (/ENOENT|ECONNREFUSED|connect/i.test(message) && /docker|sock/i.test(message)) {
    return `the Docker engine is unreachable (${message}): start it with scripts/services.sh or fix DOCKER_HOST`;
  }
  return message.split('\n')[0]?.slice(0, 500) ?? message;
}

