import { parseCoverage } from '../../core/reports/coverage.js';
import { parseJunit, type JunitResult } from '../../core/reports/junit.js';
import { buildTarget } from './build-target.js';
import { type StageContext, type StageOutcome, testImageTag } from './stage-context.js';

/**
 * Builds the test target. The JUnit report is read from the test image, or from the failed step's container when
 * the tests failed, so the alert can name the failing tests. The coverage report comes out of the image with it
 * (one container for both): its figure goes with the run for the coverage stage to judge.
 */
export async function testStage(ctx: StageContext): Promise<StageOutcome> {
  const target = ctx.service.testTarget;
  if (!target) return { status: 'passed', summary: 'no test target' };
  const tag = testImageTag(ctx.run);
  const result = await buildTarget(ctx, { tag, target });
  const junitPath = ctx.service.reports.junit;

  if (result.ok) {
    const coverage = ctx.service.reports.coverage;
    const [junitText, coverageText] = await readReports(ctx, tag, [junitPath, coverage?.path]);
    const report = junitPath ? await readJunit(ctx, async () => junitText) : undefined;
    if (report && report.failed > 0) {
      return { status: 'failed', cause: failedTestsCause(report) };
    }
    const tests = report && { total: report.total, passed: report.passed, failed: report.failed, skipped: report.skipped };
    const percent = coverage && coverageFigure(coverage.format, coverageText);
    return { status: 'passed', summary: report ? countsLine(report) : 'tests passed', patch: { quality: { ...ctx.run.quality, tests, coverage: percent } } };
  }

  let report: JunitResult | undefined;
  if (result.failedContainerId) {
    const container = result.failedContainerId;
    if (junitPath) report = await readJunit(ctx, async () => (await ctx.images.readFiles({ container }, [junitPath]))[0]);
    await ctx.images.discard({ container });
  }
  if (report && report.failed > 0) return { status: 'failed', cause: failedTestsCause(report) };
  return { status: 'failed', cause: `test target "${target}" failed: ${result.error}` };
}

/** The reports at `paths` (undefined: none configured) out of the image, all through one container. */
async function readReports(ctx: StageContext, image: string, paths: (string | undefined)[]): Promise<(string | undefined)[]> {
  const wanted = paths.filter((p) => p !== undefined);
  const texts = wanted.length > 0 ? await ctx.images.readFiles({ image }, wanted) : [];
  return paths.map((p) => (p === undefined ? undefined : texts[wanted.indexOf(p)]));
}

async function readJunit(ctx: StageContext, read: () => Promise<string | undefined>): Promise<JunitResult | undefined> {
  try {
    const text = await read();
    if (text === undefined) {
      await ctx.log(`no JUnit report at ${ctx.service.reports.junit}`);
      return undefined;
    }
    const report = parseJunit(text);
    for (const failure of report.failures) await ctx.log(`FAILED ${failure.name}: ${failure.message}`);
    return report;
  } catch (error) {
    await ctx.log(`cannot read the JUnit report: ${(error as Error).message}`);
    return undefined;
  }
}

/** The coverage figure, when the report is there and reads; else the coverage stage reads it again and says why not. */
function coverageFigure(format: Parameters<typeof parseCoverage>[0], text: string | undefined): number | undefined {
  try {
    return text === undefined ? undefined : parseCoverage(format, text).percent;
  } catch {
    return undefined;
  }
}

export function countsLine(report: JunitResult): string {
  return [`${report.passed} passed`, report.failed ? `${report.failed} failed` : '', report.skipped ? `${report.skipped} skipped` : '']
    .filter(Boolean)
    .join(', ');
}

export function failedTestsCause(report: JunitResult): string {
  const names = report.failures.slice(0, 3).map((f) => (f.message ? `${f.name} (${f.message})` : f.name));
  const more = report.failures.length > 3 ? ` and ${report.failures.length - 3} more` : '';
  return `${report.failed} of ${report.total} tests failed: ${names.join('; ')}${more}`;
}
