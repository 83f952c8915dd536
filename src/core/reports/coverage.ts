import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';

export type CoverageFormat = 'lcov' | 'cobertura' | 'istanbul';
/** Line coverage, the measure every format has. */
export type Coverage = { percent: number; covered: number; total: number };

export class ReportError extends Error {}

/** Sums `LH` (lines hit) and `LF` (lines found) over every file of an lcov tracefile. */
export function parseLcov(text: string): Coverage {
  let covered = 0;
  let total = 0;
  let records = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('LH:')) covered += Number(line.slice(3));
    else if (line.startsWith('LF:')) {
      total += Number(line.slice(3));
      records += 1;
    }
  }
  if (records === 0 || !Number.isFinite(covered + total)) throw new ReportError('not an lcov report: no LF:/LH: lines');
  return withPercent(covered, total);
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

/** Cobertura XML: the root's `lines-covered`/`lines-valid`, or its `line-rate` when those are absent. */
export function parseCobertura(text: string): Coverage {
  const root = (xml.parse(text) as { coverage?: Record<string, string> }).coverage;
  if (!root) throw new ReportError('not a Cobertura report: no <coverage> root');
  const covered = Number(root['lines-covered']);
  const total = Number(root['lines-valid']);
  if (Number.isFinite(covered) && Number.isFinite(total)) return withPercent(covered, total);
  const rate = Number(root['line-rate']);
  if (!Number.isFinite(rate)) throw new ReportError('not a Cobertura report: no line-rate on <coverage>');
  return { percent: round(rate * 100), covered: 0, total: 0 };
}

const IstanbulSummary = z.object({
  total: z.object({ lines: z.object({ total: z.number(), covered: z.number(), pct: z.union([z.number(), z.string()]) }) }),
});

/** Istanbul's `coverage-summary.json` (the json-summary reporter). */
export function parseIstanbulSummary(text: string): Coverage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ReportError('not an Istanbul json-summary: not JSON');
  }
  const parsed = IstanbulSummary.safeParse(json);
  if (!parsed.success) throw new ReportError('not an Istanbul json-summary: no total.lines');
  const { covered, total } = parsed.data.total.lines;
  return withPercent(covered, total);
}

export function parseCoverage(format: CoverageFormat, text: string): Coverage {
  switch (format) {
    case 'lcov':
      return parseLcov(text);
    case 'cobertura':
      return parseCobertura(text);
    case 'istanbul':
      return parseIstanbulSummary(text);
  }
}

function withPercent(covered: number, total: number): Coverage {
  // Nothing to cover counts as fully covered, as Istanbul reports it.
  return { covered, total, percent: total === 0 ? 100 : round((covered / total) * 100) };
}

const round = (n: number) => Math.round(n * 100) / 100;
