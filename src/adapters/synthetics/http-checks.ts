import { isDeepStrictEqual } from 'node:util';
import type { SyntheticCheck } from '../../core/config-schema.js';
import type { CheckResult, CheckTarget, SyntheticsProvider } from '../../core/synthetics.js';

type HttpCheck = Extract<SyntheticCheck, { type: 'http' }>;

/** Built-in HTTP checks: status, body text, a JSON field, and a latency budget, against the environment. */
export const httpChecks: SyntheticsProvider = {
  kind: 'http',
  async run(checks, target) {
    const results: CheckResult[] = [];
    for (const check of checks) if (check.type === 'http') results.push(await runOne(check, target));
    return results;
  },
};

async function runOne(check: HttpCheck, target: CheckTarget): Promise<CheckResult> {
  const started = performance.now();
  const done = (passed: boolean, detail: string): CheckResult => ({
    name: check.name,
    kind: 'http',
    passed,
    durationMs: Math.round(performance.now() - started),
    detail,
  });
  let status: number;
  let body: string;
  try {
    const res = await fetch(new URL(check.path, target.localUrl), { method: check.method, signal: AbortSignal.timeout(target.timeoutMs) });
    status = res.status;
    body = await res.text();
  } catch (error) {
    const cause = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
    return done(false, `${check.method} ${check.path} got no answer: ${cause}`);
  }
  const ms = Math.round(performance.now() - started);
  if (status !== check.expectStatus) return done(false, `${check.method} ${check.path} answered ${status}, expected ${check.expectStatus}`);
  if (check.bodyContains !== undefined && !body.includes(check.bodyContains)) {
    return done(false, `${check.path}: the body does not contain "${check.bodyContains}"`);
  }
  if (check.jsonField) {
    let value: unknown;
    try {
      value = fieldAt(JSON.parse(body), check.jsonField.path);
    } catch {
      return done(false, `${check.path}: the body is not JSON`);
    }
    if (!isDeepStrictEqual(value, check.jsonField.equals)) {
      return done(false, `${check.path}: ${check.jsonField.path} is ${JSON.stringify(value)}, expected ${JSON.stringify(check.jsonField.equals)}`);
    }
  }
  if (check.maxLatencyMs !== undefined && ms > check.maxLatencyMs) {
    return done(false, `${check.path} took ${ms} ms, over the ${check.maxLatencyMs} ms budget`);
  }
  return done(true, `${status} in ${ms} ms`);
}

/** `a.b.0.c` into parsed JSON. */
function fieldAt(json: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), json);
}
