import { XMLParser } from 'fast-xml-parser';
import { ReportError } from './coverage.js';

export type FailedTest = { name: string; message: string };
export type TestCounts = { total: number; passed: number; failed: number; skipped: number };
export type JunitResult = TestCounts & { failures: FailedTest[] };

type Node = Record<string, unknown>;
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: '#text',
  isArray: (name) => ['testsuite', 'testcase', 'failure', 'error'].includes(name),
});

/** Counts and failed tests of a JUnit XML report (`<testsuites>` or a lone `<testsuite>`), from its test cases. */
export function parseJunit(text: string): JunitResult {
  const doc = parser.parse(text) as Node;
  const suites = suitesOf(doc);
  if (suites.length === 0) throw new ReportError('not a JUnit report: no <testsuite>');
  const result: JunitResult = { total: 0, passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const suite of suites) {
    for (const testcase of (suite.testcase as Node[] | undefined) ?? []) {
      result.total += 1;
      const problem = ((testcase.failure ?? testcase.error) as Node[] | string[] | undefined)?.[0];
      if (problem !== undefined) {
        result.failed += 1;
        const name = [testcase.classname, testcase.name].filter(Boolean).join(' › ');
        result.failures.push({ name: name || '(unnamed test)', message: messageOf(problem) });
      } else if ('skipped' in testcase) result.skipped += 1;
      else result.passed += 1;
    }
  }
  return result;
}

function suitesOf(doc: Node): Node[] {
  const root = (doc.testsuites ?? doc) as Node;
  return (root.testsuite as Node[] | undefined) ?? [];
}

function messageOf(problem: Node | string): string {
  if (typeof problem === 'string') return firstLine(problem);
  return firstLine(String(problem.message ?? problem['#text'] ?? ''));
}

const firstLine = (text: string) => text.trim().split('\n')[0]?.slice(0, 300) ?? '';
