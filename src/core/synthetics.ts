import type { SyntheticCheck } from './config-schema.js';
import { escapeMrkdwn } from './messages/blocks.js';

export type CheckKind = SyntheticCheck['type'];

/** One check's outcome. A screenshot comes with a failed browser check. */
export type CheckResult = {
  name: string;
  kind: CheckKind;
  passed: boolean;
  durationMs: number;
  /** What was seen: "200 in 41 ms", or what went wrong and at which step. */
  detail: string;
  link?: string;
  screenshot?: Uint8Array;
};

/** Where checks look: the worker reaches the environment on loopback; Datadog's locations need its public URL. */
export type CheckTarget = { localUrl: string; publicUrl: string; timeoutMs: number };

/** A kind of synthetic check (Datadog, built-in HTTP, browser). Adapters implement it. */
export interface SyntheticsProvider {
  readonly kind: CheckKind;
  run(checks: readonly SyntheticCheck[], target: CheckTarget): Promise<CheckResult[]>;
}

export function checkLine(result: CheckResult): string {
  const link = result.link ? ` <${result.link.replace(/[<>|]/g, '')}|result>` : '';
  return `${result.passed ? ':white_check_mark:' : ':x:'} ${escapeMrkdwn(result.name)} (${result.kind}) — ${escapeMrkdwn(result.detail)}${link}`;
}

/** "3/3 passed", or the count and the failing checks by name, for a stage summary or a failure cause. */
export function syntheticsSummary(results: readonly CheckResult[]): { passed: boolean; text: string } {
  const failed = results.filter((r) => !r.passed);
  const count = `${results.length - failed.length}/${results.length} passed`;
  if (failed.length === 0) return { passed: true, text: count };
  return { passed: false, text: `${count}; failed: ${failed.map((r) => `${r.name} (${r.detail})`).join('; ')}` };
}
