import { describe, expect, it } from 'vitest';
import { parseCobertura, parseCoverage, parseIstanbulSummary, parseLcov, ReportError } from '../../../../src/core/reports/coverage.js';

const lcov = `TN:
SF:/app/src/a.js
DA:1,1
LF:10
LH:8
end_of_record
SF:/app/src/b.js
LF:30
LH:24
end_of_record
`;

const cobertura = `<?xml version="1.0" ?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage lines-valid="200" lines-covered="159" line-rate="0.795" branches-valid="0" branches-covered="0" branch-rate="0" timestamp="1700000000" version="7.3">
  <packages><package name="app" line-rate="0.795"><classes/></package></packages>
</coverage>`;

const istanbul = JSON.stringify({
  total: {
    lines: { total: 120, covered: 99, skipped: 0, pct: 82.5 },
    statements: { total: 130, covered: 100, skipped: 0, pct: 76.92 },
    functions: { total: 10, covered: 9, skipped: 0, pct: 90 },
    branches: { total: 20, covered: 10, skipped: 0, pct: 50 },
  },
  '/app/src/a.js': { lines: { total: 120, covered: 99, skipped: 0, pct: 82.5 } },
});

describe('coverage reports', () => {
  it.each([
    ['lcov', lcov, { percent: 80, covered: 32, total: 40 }],
    ['cobertura', cobertura, { percent: 79.5, covered: 159, total: 200 }],
    ['istanbul', istanbul, { percent: 82.5, covered: 99, total: 120 }],
  ] as const)('reads line coverage from %s', (format, text, expected) => {
    expect(parseCoverage(format, text)).toEqual(expected);
  });

  it('falls back to line-rate when Cobertura gives no line counts', () => {
    expect(parseCobertura('<coverage line-rate="0.8312"></coverage>').percent).toBe(83.12);
  });

  it('counts a report with nothing to cover as fully covered', () => {
    expect(parseLcov('SF:x\nLF:0\nLH:0\nend_of_record\n').percent).toBe(100);
  });

  it.each([
    ['lcov', () => parseLcov('not a report'), /not an lcov report/],
    ['cobertura', () => parseCobertura('<report/>'), /no <coverage> root/],
    ['istanbul (not JSON)', () => parseIstanbulSummary('{'), /not JSON/],
    ['istanbul (no totals)', () => parseIstanbulSummary('{"a":1}'), /no total.lines/],
  ])('refuses a file that is not a %s report', (_name, parse, message) => {
    expect(parse).toThrow(ReportError);
    expect(parse).toThrow(message);
  });
});
