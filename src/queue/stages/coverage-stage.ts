import { defaultBranch } from '../../core/routing.js';
import { parseCoverage, ReportError } from '../../core/reports/coverage.js';
import { type StageContext, type StageOutcome, testImageTag } from './stage-context.js';

/** Reads the coverage report out of the test image and holds it against the threshold. */
export async function coverageStage(ctx: StageContext): Promise<StageOutcome> {
  const report = ctx.service.reports.coverage;
  if (!report) return { status: 'passed', summary: 'no coverage report configured' };
  const text = await ctx.images.readFile({ image: testImageTag(ctx.run) }, report.path);
  if (text === undefined) {
    return { status: 'failed', cause: `no coverage report at ${report.path} in the test image: check reports.coverage.path` };
  }
  let percent: number;
  try {
    percent = parseCoverage(report.format, text).percent;
  } catch (error) {
    if (error instanceof ReportError) return { status: 'failed', cause: `${report.path}: ${error.message} (reports.coverage.format is ${report.format})` };
    throw error;
  }

  const branch = defaultBranch(ctx.service);
  const baseline = (await ctx.releases.latestOnBranch(ctx.run.service, branch))?.coverage;
  const change = baseline === undefined ? '' : ` (${formatChange(percent - baseline)} against ${branch})`;
  const threshold = ctx.service.coverageThreshold;
  await ctx.log(`line coverage ${percent} %, threshold ${threshold} %${change}`);
  const patch = { quality: { ...ctx.run.quality, coverage: percent } };
  if (percent < threshold) {
    return { status: 'failed', cause: `coverage ${percent} % is below the ${threshold} % threshold${change}` };
  }
  return { status: 'passed', summary: `${percent} %${change}`, patch };
}

function formatChange(delta: number): string {
  const rounded = Math.round(delta * 100) / 100;
  return `${rounded >= 0 ? '+' : ''}${rounded}`;
}
