/** A full commit id as payloads and git print it. */
export function isFullSha(text: string): boolean {
  return /^[0-9a-f]{40}$/.test(text);
}

/**
 * Why `ref` is not a name git accepts for a reference, or undefined when it is: the rules of
 * `git check-ref-format`, checked without running git, so that a pushed ref or a branch typed in Slack is
 * data by the time it reaches a git command line.
 */
export function refNameProblem(ref: string): string | undefined {
  if (ref.length === 0) return 'is empty';
  if (ref.length > 1024) return 'is longer than 1024 characters';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(ref)) return 'contains a space, a control character or one of ~ ^ : ? * [ \\';
  if (ref.includes('..')) return 'contains ".."';
  if (ref.includes('@{') || ref === '@') return 'contains "@{" or is "@"';
  if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//')) return 'starts or ends with "/" or contains "//"';
  if (ref.endsWith('.')) return 'ends with "."';
  if (ref.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'))) return 'has a part starting with "." or ending with ".lock"';
  return undefined;
}

/** Why `branch` is not a branch name git accepts (as `git check-ref-format --branch`), or undefined. */
export function branchNameProblem(branch: string): string | undefined {
  if (branch.startsWith('-')) return 'starts with "-"';
  return refNameProblem(`refs/heads/${branch}`);
}
