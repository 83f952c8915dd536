import { defaultBranch } from '../../core/routing.js';
import { parseCoverage, ReportError } from '../../core/reports/coverage.js';
import { type StageContext, type StageOutcome, testImageTag } from './stage-context.js';

type CoverageReport = NonNullable<StageContext['service']['reports']['coverage']>;

/**
 * Holds the coverage figure against the threshold: the figure the test stage of this run read, else the report
 * read out of the test image here (which also says why a report is missing or unreadable).
 */
export async function coverageStage(ctx: StageContext): Promise<StageOutcome> {
  const report = ctx.service.reports.coverage;
  if (!report) return { status: 'passed', summary: 'no coverage report configured' };
  const tested = ctx.run.stages.some((s) => s.name === 'test' && s.status === 'passed');
  const read = tested ? ctx.run.quality?.coverage : undefined;
  const figure = read === undefined ? await coverageFromImage(ctx, report) : { percent: read };
  if ('cause' in figure) return { status: 'failed', cause: figure.cause };
  const { percent } = figure;

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

async function coverageFromImage(ctx: StageContext, report: CoverageReport): Promise<{ percent: number } | { cause: string }> {
  const [text] = await ctx.images.readFiles({ image: testImageTag(ctx.run) }, [report.path]);
  if (text === undefined) return { cause: `no coverage report at ${report.path} in the test image: check reports.coverage.path` };
  try {
    return { percent: parseCoverage(report.format, text).percent };
  } catch (error) {
    if (error instanceof ReportError) return { cause: `${report.path}: ${error.message} (reports.coverage.format is ${report.format})` };
    throw error;
  }
}

function formatChange(delta: number): string {
  const rounded = Math.round(delta * 100) / 100;
  return `${rounded >= 0 ? '+' : ''}${rounded}`;
}
