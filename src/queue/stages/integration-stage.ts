import {
  checksAfterDeploy, INTEGRATION_URL_VAR, integrationCommand, integrationEnv, integrationImageTag, type IntegrationTests, integrationTestsOf,
} from '../../core/integration-tests.js';
import type { ContainerRunResult } from '../../core/ports.js';
import { parseJunit, type JunitResult } from '../../core/reports/junit.js';
import { stageEnvironment } from '../../core/run.js';
import { batchedLog } from './batched-log.js';
import { buildTarget } from './build-target.js';
import { environmentOf } from './environment.js';
import { environmentConfig, type StageContext, type StageOutcome } from './stage-context.js';
import { rollBack, rollsBack } from './synthetics-stage.js';
import { countsLine, failedTestsCause } from './test-stage.js';

const CANCEL_POLL_MS = 1_000;

/**
 * The environment's integration tests, right after its deploy: a container on the build engine with the
 * environment's URL in `SLIPWAY_URL`. Its JUnit report and exit code gate the run like unit tests; a failure
 * puts the previous release back where a failed synthetic check would (behind approval, or blue/green).
 */
export async function integrationStage(ctx: StageContext): Promise<StageOutcome> {
  const environment = stageEnvironment(ctx.stage) ?? ctx.run.target.environment;
  const named = environmentConfig(ctx.service, environment);
  const tests = integrationTestsOf(ctx.service, ctx.stage);
  if (!tests) return { status: 'passed', summary: 'no integration tests configured' };
  const spec = await environmentOf(ctx, environment);

  const image = await testImage(ctx, tests);
  if (!image.ok) return { status: 'failed', cause: image.cause };
  const network = tests.network ?? spec.network;
  await ctx.log(`running ${image.name} (${network} network) with ${INTEGRATION_URL_VAR}=${spec.url}, for up to ${tests.timeoutSeconds} s`);

  const cancel = watchForCancel(ctx);
  const output = batchedLog((lines) => ctx.log(...lines));
  let result: ContainerRunResult;
  try {
    result = await ctx.images.run({
      name: `slipway-it-${ctx.run.id}-${environment}`,
      image: image.name,
      command: integrationCommand(tests),
      env: integrationEnv(tests, spec.url),
      network,
      labels: { 'slipway.purpose': 'integration-tests', 'slipway.service': ctx.run.service, 'slipway.run': ctx.run.id },
      timeoutMs: tests.timeoutSeconds * 1000,
      signal: cancel.signal,
      onLine: (line) => output.add(line),
      files: tests.junit ? [tests.junit] : [],
    });
  } finally {
    cancel.stop();
  }
  const lost = await output.done();
  if (lost > 0) await ctx.log(`${lost} line(s) of the tests' output could not be stored`);
  if (result.aborted && cancel.by()) return { status: 'cancelled', by: cancel.by()! };

  const report = tests.junit ? await readReport(ctx, tests.junit, result.files[0]) : undefined;
  const failure = verdict(tests, result, report);
  if (!failure) {
    // The last check of the environment in this run keeps the release (blue/green retires the one it replaced).
    if (checksAfterDeploy(ctx.run.stages, environment).at(-1) === ctx.stage) await ctx.targets(spec).settle('keep', (...lines) => ctx.log(...lines));
    return { status: 'passed', summary: report ? countsLine(report) : 'passed (exit code 0)' };
  }
  if (!rollsBack(named, spec)) return { status: 'failed', cause: failure };
  return { status: 'failed', cause: `${failure}; ${await rollBack(ctx, spec, !!named?.requireApproval, 'integration tests failed')}` };
}

/** The image to run: the target's, built by the build stage (or here, when this engine lacks it), or the configured one. */
async function testImage(ctx: StageContext, tests: IntegrationTests): Promise<{ ok: true; name: string } | { ok: false; cause: string }> {
  if (!tests.target) return { ok: true, name: tests.image ?? '' };
  const name = integrationImageTag(ctx.run, tests.target);
  if ((await ctx.images.imageOrigin(name, { pull: false })) !== 'absent') return { ok: true, name };
  // Another worker built this run's release, or the run reused a release: the target is built here (cached layers).
  await ctx.log(`building the integration tests' target "${tests.target}" on this worker's engine`);
  const built = await buildTarget(ctx, { tag: name, target: tests.target });
  if (built.ok) return { ok: true, name };
  if (built.failedContainerId) await ctx.images.discard({ container: built.failedContainerId });
  return { ok: false, cause: `the integration tests' target "${tests.target}" failed to build: ${built.error}` };
}

/** Why the tests failed, or undefined when they passed. Failed test cases are named before anything else. */
function verdict(tests: IntegrationTests, result: ContainerRunResult, report: JunitResult | undefined): string | undefined {
  if (report && report.failed > 0) return `integration tests: ${failedTestsCause(report)}`;
  if (result.timedOut) return `integration tests did not end within ${tests.timeoutSeconds} s and were stopped (timeoutSeconds)`;
  if (result.exitCode !== 0) return `integration tests exited with code ${result.exitCode ?? 'unknown'}${report ? ` (${countsLine(report)})` : ''}; their output is on the run page`;
  if (tests.junit && !report) return `integration tests exited 0 but left no readable JUnit report at ${tests.junit}`;
  return undefined;
}

async function readReport(ctx: StageContext, path: string, text: string | undefined): Promise<JunitResult | undefined> {
  if (text === undefined) {
    await ctx.log(`no JUnit report at ${path}`);
    return undefined;
  }
  try {
    const report = parseJunit(text);
    for (const failure of report.failures) await ctx.log(`FAILED ${failure.name}: ${failure.message}`);
    return report;
  } catch (error) {
    await ctx.log(`cannot read the JUnit report at ${path}: ${(error as Error).message}`);
    return undefined;
  }
}

/** Polls for `/slipway cancel` while the container runs: a request aborts the signal (the container is killed). */
function watchForCancel(ctx: StageContext) {
  const controller = new AbortController();
  let by: string | undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || by !== undefined || !ctx.cancelRequested) return;
    busy = true;
    void ctx
      .cancelRequested()
      .then((who) => {
        if (who === undefined) return;
        by = who;
        controller.abort();
      })
      .catch(() => {})
      .finally(() => {
        busy = false;
      });
  }, CANCEL_POLL_MS);
  return { signal: controller.signal, by: () => by, stop: () => clearInterval(timer) };
}
