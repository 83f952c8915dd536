import type { BranchRoute } from './config-schema.js';

/** `*` matches any run of characters, `/` included; everything else is literal. */
export function branchMatches(pattern: string, branch: string): boolean {
  const regex = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${regex}$`).test(branch);
}

/** The first route whose pattern matches wins, so specific patterns go before broad ones in the config. */
export function routeFor(routes: readonly BranchRoute[], branch: string): BranchRoute | undefined {
  return routes.find((route) => branchMatches(route.match, branch));
}

/** The branch coverage is compared against: the first exact (pattern-free) route, else `main`. */
export function defaultBranch(service: { branches: readonly BranchRoute[] }): string {
  return service.branches.find((r) => !r.match.includes('*'))?.match ?? 'main';
}
