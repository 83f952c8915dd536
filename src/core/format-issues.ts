import type { z } from 'zod';

/** One line per problem, each naming the key (`services.discounts.environments[0].port`) and what was expected. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], root = ''): string[] {
  return issues.map((issue) => {
    const path = joinPath(root, issue.path);
    const where = path === '' ? '(top level)' : path;
    if (issue.code === 'unrecognized_keys') {
      return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    if (issue.code === 'invalid_key' && issue.issues[0]) {
      // A record key that fails its own schema: the key's message says what was expected.
      return `${where}: ${issue.issues[0].message}`;
    }
    return `${where}: ${issue.message}`;
  });
}

function joinPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
