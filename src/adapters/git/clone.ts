import { isFullSha, branchNameProblem } from '../../core/ref-name.js';
import { GitError, runGit } from './run-git.js';

export type CloneRequest = { url: string; sha: string; dir: string; token?: string };

function checkedSha(sha: string): string {
  if (!isFullSha(sha)) throw new Error(`refusing to fetch "${sha.slice(0, 80)}": expected a 40-character hex commit sha`);
  return sha;
}

function checkedBranch(branch: string): string {
  const problem = branchNameProblem(branch);
  if (problem) throw new Error(`refusing to fetch branch "${branch.slice(0, 80)}": its name ${problem}`);
  return branch;
}

/** git in `dir` against the remote `url`; options always end with `--` before the URL, refs and paths. */
function gitIn(dir: string, url: string, token: string | undefined) {
  return (...args: string[]) => runGit(args, { cwd: dir, url, token });
}

/**
 * A checkout of exactly `sha` in `dir`: a shallow fetch of that commit, or a full fetch when the server will
 * not hand out a single commit. An HTTP(S) token goes to git through its environment, never its arguments.
 */
export async function cloneAt({ url, sha, dir, token }: CloneRequest): Promise<void> {
  checkedSha(sha);
  const git = gitIn(dir, url, token);
  await runGit(['init', '--quiet', '--', dir]);
  try {
    await git('fetch', '--quiet', '--depth', '1', '--', url, sha);
  } catch {
    await git('fetch', '--quiet', '--', url, '+refs/heads/*:refs/remotes/origin/*');
  }
  await git('-c', 'advice.detachedHead=false', 'checkout', '--quiet', sha, '--');
}

/** Makes the checkout in `dir` whole: ancestry questions need history, not one commit. */
async function unshallow(git: ReturnType<typeof gitIn>, url: string): Promise<void> {
  if ((await git('rev-parse', '--is-shallow-repository')).trim() === 'true') await git('fetch', '--quiet', '--unshallow', '--', url, 'HEAD');
}

/**
 * How many commits of `branch` are missing from the checkout in `dir` (0: it is up to date with it), or
 * undefined when the repository has no such branch. Deepens a shallow checkout: ancestry needs history.
 */
export async function commitsBehind({ url, dir, token, branch }: Omit<CloneRequest, 'sha'> & { branch: string }): Promise<number | undefined> {
  checkedBranch(branch);
  const git = gitIn(dir, url, token);
  await unshallow(git, url);
  try {
    await git('fetch', '--quiet', '--', url, `+refs/heads/${branch}:refs/slipway/base`);
  } catch (error) {
    if (/couldn't find remote ref|not our ref/i.test((error as Error).message)) return undefined;
    throw error;
  }
  return Number((await git('rev-list', '--count', 'HEAD..refs/slipway/base', '--')).trim());
}

/**
 * Whether the checked-out commit in `dir` is an ancestor of `of` (real git ancestry, `git merge-base
 * --is-ancestor`), fetching `of` when the checkout lacks it. Undefined when the repository no longer has `of`.
 */
export async function isAncestorOf({ url, dir, token, of }: Omit<CloneRequest, 'sha'> & { of: string }): Promise<boolean | undefined> {
  checkedSha(of);
  const git = gitIn(dir, url, token);
  await unshallow(git, url);
  const has = () => git('cat-file', '-e', `${of}^{commit}`).then(() => true, () => false);
  if (!(await has())) {
    // One commit if the server hands it out, else every branch (servers that refuse unadvertised commits).
    await git('fetch', '--quiet', '--', url, of).catch(() => git('fetch', '--quiet', '--', url, '+refs/heads/*:refs/remotes/origin/*').catch(() => ''));
    if (!(await has())) return undefined;
  }
  try {
    await git('merge-base', '--is-ancestor', '--', 'HEAD', of);
    return true;
  } catch (error) {
    if (error instanceof GitError && error.exitCode === 1) return false;
    throw error;
  }
}
