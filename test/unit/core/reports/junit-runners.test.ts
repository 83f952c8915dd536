import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJunit } from '../../../../src/core/reports/junit.js';

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/junit/${name}`, import.meta.url), 'utf8');

// Reports as each runner writes them (test/fixtures/junit), counted from their test cases.
// pytest.xml (pytest 9.0.3) and jest-junit.xml (Jest 30.5.2 + jest-junit 17.0.0) are real output
// of those tools; the others are still hand-written in the shape of their runner's output.
describe('parseJunit on real runners’ reports', () => {
  it.each([
    {
      file: 'jest-junit.xml',
      counts: { total: 6, passed: 3, failed: 2, skipped: 1, errors: 0 },
      failures: [
        { name: 'discount rounds to cents › discount rounds to cents', message: 'Error: expect(received).toBe(expected) // Object.is equality' },
        { name: 'codes parses a code › codes parses a code', message: "TypeError: Cannot read properties of undefined (reading 'trim')" },
      ],
    },
    {
      file: 'pytest.xml',
      counts: { total: 5, passed: 2, failed: 2, skipped: 1, errors: 1 },
      failures: [
        { name: 'tests.test_codes.TestCodes › test_parses', message: `failed on setup with "FileNotFoundError: [Errno 2] No such file or directory: 'codes.csv'"` },
        { name: 'tests.test_discount.TestDiscount › test_rounds_to_cents', message: 'assert 9.99 == 10.0' },
      ],
    },
    {
      file: 'go-junit-report.xml',
      counts: { total: 5, passed: 3, failed: 1, skipped: 1, errors: 0 },
      failures: [{ name: 'example.com/discounts/discount › TestRoundsToCents', message: 'Failed' }],
    },
    {
      file: 'maven-surefire.xml',
      // A flaky failure passed on a rerun: it counts as passed.
      counts: { total: 5, passed: 2, failed: 2, skipped: 1, errors: 1 },
      failures: [
        { name: 'com.example.discounts.DiscountTest › roundsToCents', message: 'expected: <10.00> but was: <9.99>' },
        { name: 'com.example.discounts.DiscountTest › loadsCodes', message: 'Cannot invoke "String.trim()" because "code" is null' },
      ],
    },
    {
      file: 'junit5-console.xml',
      counts: { total: 4, passed: 2, failed: 1, skipped: 1, errors: 0 },
      failures: [{ name: 'com.example.discounts.DiscountTest › rounds to cents', message: 'expected: <10.00> but was: <9.99>' }],
    },
    {
      file: 'phpunit-nested.xml',
      counts: { total: 4, passed: 1, failed: 2, skipped: 1, errors: 1 },
      failures: [
        { name: 'Acme.Discounts.DiscountTest › testRoundsToCents with data set #0', message: 'Acme\\Discounts\\DiscountTest::testRoundsToCents with data set #0 (9.994, 10.0)' },
        { name: 'Acme.Discounts.CodesTest › testParses', message: 'Acme\\Discounts\\CodesTest::testParses' },
      ],
    },
  ])('$file', ({ file, counts, failures }) => {
    const report = parseJunit(fixture(file));
    expect(report).toEqual({ ...counts, failures });
  });
});

describe('parseJunit on report shapes', () => {
  it.each([
    [
      'suites nested three deep',
      '<testsuites><testsuite name="a"><testsuite name="b"><testsuite name="c"><testcase name="x"/><testcase name="y"><skipped/></testcase></testsuite></testsuite><testcase name="z"/></testsuite></testsuites>',
      { total: 3, passed: 2, failed: 0, skipped: 1, errors: 0 },
    ],
    [
      'a suite attribute named like a child element is not a skipped test',
      '<testsuite name="a" tests="1" skipped="1"><testcase name="x" classname="c"/></testsuite>',
      { total: 1, passed: 1, failed: 0, skipped: 0, errors: 0 },
    ],
    [
      'totals on <testsuites> when no test case is listed',
      '<testsuites tests="10" failures="2" errors="1" skipped="3"><testsuite name="a"/></testsuites>',
      { total: 10, passed: 4, failed: 3, skipped: 3, errors: 1 },
    ],
    [
      'the suites’ totals summed when the root declares none',
      '<testsuites><testsuite name="a" tests="4" failures="1" errors="0" skipped="0"/><testsuite name="b" tests="3" failures="0" errors="0" disabled="2"/></testsuites>',
      { total: 7, passed: 4, failed: 1, skipped: 2, errors: 0 },
    ],
    [
      'declared totals that do not add up are held to the total',
      '<testsuite name="a" tests="2" failures="5" skipped="4"/>',
      { total: 2, passed: 0, failed: 2, skipped: 0, errors: 0 },
    ],
    ['an empty suite', '<testsuite name="a" tests="0"/>', { total: 0, passed: 0, failed: 0, skipped: 0, errors: 0 }],
    [
      'a failure and an error on one case count one failed test',
      '<testsuite><testcase name="x"><failure message="boom"/><error message="teardown"/></testcase></testsuite>',
      { total: 1, passed: 0, failed: 1, skipped: 0, errors: 0 },
    ],
  ])('%s', (_name, xml, counts) => {
    expect(parseJunit(xml)).toMatchObject(counts);
  });
});
