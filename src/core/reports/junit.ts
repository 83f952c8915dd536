import { XMLParser } from 'fast-xml-parser';
import { ReportError } from './coverage.js';

export type FailedTest = { name: string; message: string };
export type TestCounts = { total: number; passed: number; failed: number; skipped: number };
/** `failed` counts every test that did not pass nor skip; `errors` is how many of those errored rather than failed an assertion. */
export type JunitResult = TestCounts & { errors: number; failures: FailedTest[] };

type Node = Record<string, unknown>;
// A prefix keeps attributes apart from child elements: a suite's `skipped="1"` is not a test's `<skipped/>`.
const ATTR = '@_';
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  textNodeName: '#text',
  // Character references too: pytest writes a message's line breaks as `&#10;`.
  htmlEntities: true,
  isArray: (name) => ['testsuites', 'testsuite', 'testcase', 'failure', 'error'].includes(name),
});

/**
 * Counts and failed tests of a JUnit XML report, from its test cases wherever they sit: under `<testsuites>`,
 * a lone `<testsuite>`, or suites nested in suites (PHPUnit, Karma, Mocha). A report that lists no test case
 * but declares totals (`tests`, `failures`, `errors`, `skipped`) is counted from those.
 */
export function parseJunit(text: string): JunitResult {
  const doc = parser.parse(text) as Node;
  const roots = [...nodes(doc.testsuites), ...nodes(doc.testsuite)];
  if (roots.length === 0) throw new ReportError('not a JUnit report: no <testsuites> or <testsuite> root element');
  const result: JunitResult = { total: 0, passed: 0, failed: 0, skipped: 0, errors: 0, failures: [] };
  for (const testcase of roots.flatMap(testcasesOf)) count(testcase, result);
  return result.total > 0 ? result : declaredTotals(roots);
}

function count(testcase: Node, result: JunitResult): void {
  result.total += 1;
  // A case may hold several failures (Jest) or a failure and an error (pytest's teardown): it failed once.
  const failure = nodes(testcase.failure)[0];
  const error = nodes(testcase.error)[0];
  const problem = failure ?? error;
  if (problem !== undefined) {
    result.failed += 1;
    if (failure === undefined) result.errors += 1;
    const name = [testcase[`${ATTR}classname`], testcase[`${ATTR}name`]].filter(Boolean).join(' › ');
    result.failures.push({ name: name || '(unnamed test)', message: messageOf(problem) });
  } else if ('skipped' in testcase || testcase[`${ATTR}status`] === 'skipped') result.skipped += 1;
  else result.passed += 1;
}

/** Every test case under a root, at any depth of nested suites. */
function testcasesOf(root: Node): Node[] {
  return [...nodes(root.testcase), ...nodes(root.testsuite).flatMap(testcasesOf), ...nodes(root.testsuites).flatMap(testcasesOf)];
}

/** The totals a report declares, for one that lists no test case: the roots' own, else their suites' sum. */
function declaredTotals(roots: Node[]): JunitResult {
  const sum = (key: string, of: Node[]): number => of.reduce((n, node) => n + numberAt(node, key), 0);
  const declares = (of: Node[]) => of.some((node) => `${ATTR}tests` in node);
  const from = declares(roots) ? roots : roots.flatMap((root) => nodes(root.testsuite));
  const total = sum('tests', from);
  const errors = sum('errors', from);
  const failed = Math.min(total, sum('failures', from) + errors);
  const skipped = Math.min(total - failed, sum('skipped', from) + sum('disabled', from));
  return { total, passed: total - failed - skipped, failed, skipped, errors: Math.min(errors, failed), failures: [] };
}

function numberAt(node: Node, key: string): number {
  const value = Number(node[`${ATTR}${key}`]);
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** The parser's arrays (and a lone text-only element, which it leaves a string) as a list of element nodes. */
function nodes(value: unknown): Node[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((item) => (typeof item === 'object' && item !== null ? (item as Node) : { '#text': item }));
}

function messageOf(problem: Node): string {
  return firstLine(String(problem[`${ATTR}message`] || problem['#text'] || ''));
}

const firstLine = (text: string) => text.trim().split('\n')[0]?.slice(0, 300) ?? '';
