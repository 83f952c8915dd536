import { describe, expect, it } from 'vitest';
import { parseJunit } from '../../../../src/core/reports/junit.js';
import { ReportError } from '../../../../src/core/reports/coverage.js';

describe('parseJunit', () => {
  it('counts passed, failed, errored and skipped cases over every suite, naming the failures', () => {
    const report = parseJunit(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="5" failures="1" errors="1">
  <testsuite name="discounts" tests="3">
    <testcase classname="discount" name="applies after tax" time="0.01"/>
    <testcase classname="discount" name="rounds to cents"><failure message="expected 9.99 to be 10.00" type="AssertionError">at discount.test.js:12</failure></testcase>
    <testcase classname="discount" name="ignores expired"><skipped/></testcase>
  </testsuite>
  <testsuite name="codes" tests="2">
    <testcase classname="codes" name="loads"/>
    <testcase classname="codes" name="parses"><error>TypeError: x is undefined
    at parse (codes.js:3)</error></testcase>
  </testsuite>
</testsuites>`);
    expect(report).toMatchObject({ total: 5, passed: 2, failed: 2, skipped: 1 });
    expect(report.failures).toEqual([
      { name: 'discount › rounds to cents', message: 'expected 9.99 to be 10.00' },
      { name: 'codes › parses', message: 'TypeError: x is undefined' },
    ]);
  });

  it('reads a lone <testsuite> root', () => {
    expect(parseJunit('<testsuite name="a"><testcase name="one"/></testsuite>')).toMatchObject({ total: 1, passed: 1 });
  });

  it('refuses a file with no test suite', () => {
    expect(() => parseJunit('<coverage/>')).toThrow(ReportError);
  });
});
