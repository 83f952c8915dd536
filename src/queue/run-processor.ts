import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { ServiceConfig } from '../core/config-schema.js';
import { needsBuild, resumePoint, reuseRelease } from '../core/pipeline.js';
import { configuredCloneUrl } from '../core/repo-match.js';
import type { LogStore, OnceStore } from '../core/ports.js';
import {
  cancelRun, completeRun, failRun, isFinished, nextStage, parkRun, passStage, type Run, skipRestOfRun, stageEnvironment, startStage, stageKind,
  supersedeRun,
} from '../core/run.js';
import type { Logger } from '../log.js';
import { type GateDeps, openGate } from './gates.js';
import { admission } from './stages/admission.js';
import type { RunEvents } from './notifier.js';
import { RunJobData } from './run-queue.js';
import { buildStage } from './stages/build-stage.js';
import { checkout } from './stages/checkout.js';
import { coverageStage } from './stages/coverage-stage.js';
import { deployStage } from './stages/deploy-stage.js';
import { pushStage } from './stages/push-stage.js';
import { syntheticsStage } from './stages/synthetics-stage.js';
import type { StageContext, StageOutcome, StageTools } from './stages/stage-context.js';
import { teardownStage } from './stages/teardown-stage.js';
import { testStage } from './stages/test-stage.js';
import { validate } from './stages/validate.js';
import { olderThanDeployed } from './stages/replay-guard.js';
import { Workspace } from './workspace.js';

const RUNNERS: Record<string, (ctx: StageContext) => Promise<StageOutcome>> = {
  checkout,
  validate,
  test: testStage,
  coverage: coverageStage,
  build: buildStage,
  push: pushStage,
  deploy: deployStage,
  synthetics: syntheticsStage,
  teardown: teardownStage,
};

export type RunProcessorDeps = StageTools & {
  services: readonly ServiceConfig[];
  logs: LogStore;
  /** Where `/slipway cancel` leaves its request for a running run. */
  once: OnceStore;
  gate: GateDeps;
  events: RunEvents;
  log: Logger;
  /** Environment variables clone tokens are read from. */
  env: Readonly<Record<string, string | undefined>>;
  scrub(text: string): string;
  now(): Date;
  /** Told each stage's end, for metrics. */
  stageEnded?(stage: string, status: string, seconds: number): void;
};

/**
 * Carries a run through its stages. The run record in Redis is the truth about progress: each transition is
 * saved (and shown in Slack) before the next stage starts, so a retried job resumes where the last one stopped.
 */
export function createRunProcessor(deps: RunProcessorDeps) {
  return async (job: Job<RunJobData>, token?: string): Promise<void> => {
    const { runId } = RunJobData.parse(job.data);
    const log = deps.log.child({ runId });
    let run = await deps.runs.get(runId);
    if (!run) throw new UnrecoverableError(`run ${runId} is not in the store`);
    if (isFinished(run)) return;

    const save = async (next: Run) => {
      run = next;
      await deps.runs.save(next);
      await deps.events.changed(next.id).catch((error: unknown) => log.warn({ err: error }, 'cannot queue the Slack update'));
    };

    const service = deps.services.find((s) => s.name === run?.service);
    if (!service) {
      const first = nextStage(run)?.name ?? 'checkout';
      await save(failRun(run, first, `service ${run.service} is no longer in slipway.yml`, deps.now()));
      return;
    }

    const cloneToken = service.cloneTokenEnv ? deps.env[service.cloneTokenEnv] : undefined;
    // The code comes from where config says now, never from a URL stored with the run (a payload's, once).
    const workspace = new Workspace({ url: configuredCloneUrl(service, run.source?.host), sha: run.sha, token: cloneToken });
    try {
      run = resumePoint(run);
      if (needsBuild(run)) {
        const existing = await deps.releases.get(run.service, run.sha);
        if (existing) {
          // Reusing a release skips checkout, not the replay guard: an old push must not bring its old image back.
          let older: string | undefined;
          try {
            older = await olderThanDeployed({ ...deps, run, service, isAncestorOf: (of) => workspace.isAncestorOf(of), log: async (...lines) => deps.logs.append(runId, 'checkout', lines.map(deps.scrub)) });
          } catch (error) {
            await save(failRun(run, 'checkout', deps.scrub(describe(error)), deps.now()));
            return;
          }
          if (older) {
            log.info({ why: older }, 'rest of the run skipped');
            await save(completeRun(skipRestOfRun(run, older, deps.now()), deps.now()));
            return;
          }
          log.info({ digest: existing.digest }, 'release exists for this sha: reusing it');
          await save(reuseRelease(run, existing, deps.now()));
        }
      }

      for (let stage = nextStage(run); stage; stage = nextStage(run)) {
        const cancelledBy = await deps.once.peek(cancelKey(run.id));
        if (cancelledBy !== undefined) {
          log.info({ by: cancelledBy }, 'run cancelled');
          await save(cancelRun(run, cancelledBy, deps.now()));
          return;
        }
        const kind = stageKind(stage.name);
        if (kind === 'approval') {
          // Nobody is asked to approve what could not go in: a frozen environment, a skipped step. A locked
          // one parks the run at its gate: the card says who holds the lock, and only they may approve.
          const admitted = await admission(deps, run, service, stageEnvironment(stage.name) ?? '', { atGate: true });
          if (!admitted.ok && admitted.skip) {
            await save(completeRun(skipRestOfRun(run, admitted.cause, deps.now()), deps.now()));
            return;
          }
          if (!admitted.ok) {
            await save(failRun(run, stage.name, admitted.cause, deps.now()));
            return;
          }
          const opened = await openGate(run, stage.name, deps.gate);
          if (opened === 'not needed') {
            await save(passStage(run, stage.name, deps.now(), 'no approval needed: the freeze is over'));
            continue;
          }
          await save(parkRun(run, stage.name, deps.now()));
          log.info({ stage: stage.name }, 'run parked at its approval gate');
          return;
        }
        await save(startStage(run, stage.name, deps.now()));
        await job.updateData({ runId, stage: stage.name } as RunJobData);
        log.info({ stage: stage.name }, 'stage started');

        const startedAt = deps.now();
        const outcome = await runStage(kind, stage.name, run, service, workspace, deps);
        const now = deps.now();
        if (outcome.status !== 'wait') deps.stageEnded?.(kind, outcome.status, (now.getTime() - startedAt.getTime()) / 1000);
        if (outcome.status === 'passed') {
          await save({ ...passStage(run, stage.name, now, outcome.summary, outcome.details), ...outcome.patch });
          await recordPass(run, stage.name, deps);
        } else if (outcome.status === 'skipped') {
          log.info({ stage: stage.name, why: outcome.summary }, 'rest of the run skipped');
          await save(completeRun(skipRestOfRun(run, outcome.summary, now), now));
          return;
        } else if (outcome.status === 'failed') {
          log.info({ stage: stage.name, cause: outcome.cause }, 'stage failed');
          await deps.logs.append(run.id, stage.name, [deps.scrub(outcome.cause)]);
          await save(failRun(run, stage.name, deps.scrub(outcome.cause), now, outcome.details?.map(deps.scrub)));
          return;
        } else if (outcome.status === 'superseded') {
          log.info({ by: outcome.by }, 'run superseded');
          await save(supersedeRun(run, outcome.by, now));
          return;
        } else {
          // The environment is busy: give the worker slot back and come back to this stage later.
          await save({ ...run, stages: run.stages.map((s) => (s.name === stage?.name ? { name: s.name, status: 'pending' as const } : s)) });
          await job.moveToDelayed(Date.now() + outcome.delayMs, token);
          throw new DelayedError();
        }
      }
      await save(completeRun(run, deps.now()));
      log.info('run passed');
    } finally {
      await workspace.remove();
    }
  };
}

async function runStage(
  kind: string,
  name: string,
  run: Run,
  service: ServiceConfig,
  workspace: Workspace,
  deps: RunProcessorDeps,
): Promise<StageOutcome> {
  const runner = RUNNERS[kind];
  if (!runner) return { status: 'failed', cause: `slipway does not know a "${kind}" stage` };
  // The stage sees the engine, stores and providers of `deps` (its type keeps it to those), and its own log.
  const ctx: StageContext = {
    ...deps,
    run,
    service,
    stage: name,
    sourceDir: () => workspace.sourceDir(),
    commitsBehind: (branch) => workspace.commitsBehind(branch),
    isAncestorOf: (of) => workspace.isAncestorOf(of),
    log: (...lines) => deps.logs.append(run.id, name, lines.map(deps.scrub)),
    now: deps.now,
  };
  try {
    return await runner(ctx);
  } catch (error) {
    // An outside system failing (git, the engine, the registry) fails the stage with what it said.
    return { status: 'failed', cause: describe(error) };
  }
}

/**
 * A release got through an environment when its deploy passed and, if the run checks it there, its synthetics
 * too: what promotion order asks of the next environment. Rollbacks prove nothing new.
 */
async function recordPass(run: Run, stage: string, deps: RunProcessorDeps): Promise<void> {
  const environment = stageEnvironment(stage);
  const kind = stageKind(stage);
  if (!environment || !run.release || run.trigger === 'rollback') return;
  const checked = run.stages.some((s) => s.name === `synthetics:${environment}`);
  if ((kind === 'deploy' && !checked) || kind === 'synthetics') await deps.passes.record(run.service, run.release.digest, environment);
}

function describe(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  if (/ENOENT|ECONNREFUSED|connect/i.test(message) && /docker|sock/i.test(message)) {
    return `the Docker engine is unreachable (${message}): start it with scripts/services.sh or fix DOCKER_HOST`;
  }
  return message.split('\n')[0]?.slice(0, 500) ?? message;
}

export const cancelKey = (runId: string) => `cancel:${runId}`;

