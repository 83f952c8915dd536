import type { BranchRoute } from './config-schema.js';

/**
 * `*` matches any run of characters, `/` included; everything else is literal.
 *
 * Not a regular expression: `a*b*c` as `^a.*b.*c$` backtracks polynomially in the branch's length on a
 * branch that almost matches, and a branch name comes from outside (payloads, `/deploy`). Nor picomatch:
 * its `bash` mode compiles a star to a lazy `.*?`, which backtracks the same way. With only `*` as a
 * wildcard, taking each literal part at its leftmost place is enough (a later place never leaves more room
 * for the parts after it), so the match is one left-to-right scan: the prefix and suffix are anchored, and
 * each middle part is found with `indexOf` after the previous one. Nothing is ever retried.
 */
export function branchMatches(pattern: string, branch: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === branch;
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (branch.length < first.length + last.length || !branch.startsWith(first) || !branch.endsWith(last)) return false;
  let from = first.length;
  const end = branch.length - last.length;
  for (const part of parts.slice(1, -1)) {
    if (part === '') continue;
    const at = branch.indexOf(part, from);
    if (at < 0 || at + part.length > end) return false;
    from = at + part.length;
  }
  return true;
}

/** The first route whose pattern matches wins, so specific patterns go before broad ones in the config. */
export function routeFor(routes: readonly BranchRoute[], branch: string): BranchRoute | undefined {
  return routes.find((route) => branchMatches(route.match, branch));
}

/** The branch coverage is compared against: the first exact (pattern-free) route, else `main`. */
export function defaultBranch(service: { branches: readonly BranchRoute[] }): string {
  return service.branches.find((r) => !r.match.includes('*'))?.match ?? 'main';
}
