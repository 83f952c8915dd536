import { rm } from 'node:fs/promises';
import { Mutex } from 'async-mutex';
import { isFullSha, branchNameProblem } from '../../core/ref-name.js';
import { defaultMirrorRoot, mirrorOf } from './mirror.js';
import { checkedCloneUrl, GitError, runGit } from './run-git.js';

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
 * One change at a time to a mirror's worktrees, per mirror: git reads every worktree's files when it adds one,
 * and fails on one another `worktree add` has begun but not yet written ("failed to read worktrees/…/commondir",
 * seen with six checkouts of one repository at once). The fetch before it goes in the same turn. Runs in other
 * processes on the host are not covered.
 */
const mirrorLocks = new Map<string, Mutex>();
function inMirror<T>(mirror: string, work: () => Promise<T>): Promise<T> {
  let lock = mirrorLocks.get(mirror);
  if (!lock) mirrorLocks.set(mirror, (lock = new Mutex()));
  return lock.runExclusive(work);
}

const hasCommit = (git: ReturnType<typeof gitIn>, sha: string) => git('cat-file', '-e', `${sha}^{commit}`).then(() => true, () => false);

/**
 * Fetches `sha` (and its history) from `url` into the mirror. The server is asked every time, so a commit it no
 * longer hands out, or a token it no longer takes, fails the run as a fresh clone would. The one ref written,
 * `refs/slipway/last`, only tells the next fetch what the mirror has; two runs fetching at once may race for
 * it, and the loser still has its commit.
 */
async function fetchInto(mirror: string, { url, sha, token }: Omit<CloneRequest, 'dir'>): Promise<void> {
  const git = gitIn(mirror, url, token);
  try {
    await git('fetch', '--quiet', '--no-write-fetch-head', '--', url, `+${sha}:refs/slipway/last`);
  } catch (error) {
    if (/cannot lock ref|unable to update local ref/i.test((error as Error).message) && (await hasCommit(git, sha))) return;
    // A server that will not hand out a single commit: every branch, into no ref (nothing for runs to race on).
    await git('fetch', '--quiet', '--no-write-fetch-head', '--', url, 'refs/heads/*').catch(() => undefined);
    if (!(await hasCommit(git, sha))) throw error;
  }
}

/**
 * A checkout of exactly `sha` in `dir` (new or empty): fetched into the repository's mirror under `mirrorRoot`
 * (a bare repository kept across runs, see mirror.ts) and checked out as a worktree of it; answers the mirror,
 * which `removeCheckout` needs. An HTTP(S) token goes to git through its environment, never its arguments, and
 * is never stored.
 */
export async function cloneAt({ url, sha, dir, token, mirrorRoot = defaultMirrorRoot() }: CloneRequest & { mirrorRoot?: string }): Promise<{ mirror: string }> {
  checkedSha(sha);
  const mirror = await mirrorOf(mirrorRoot, checkedCloneUrl(url), token);
  await inMirror(mirror, async () => {
    await fetchInto(mirror, { url, sha, token });
    await runGit(['-c', 'advice.detachedHead=false', 'worktree', 'add', '--quiet', '--detach', '--', dir, sha], { cwd: mirror });
  });
  return { mirror };
}

/** Removes a worktree `cloneAt` made, and what the mirror kept about it (pruned, should git not remove it). */
export function removeCheckout(mirror: string, dir: string): Promise<void> {
  return inMirror(mirror, async () => {
    try {
      await runGit(['worktree', 'remove', '--force', '--', dir], { cwd: mirror });
    } catch {
      await rm(dir, { recursive: true, force: true });
      await runGit(['worktree', 'prune'], { cwd: mirror }).catch(() => undefined);
    }
  });
}

/**
 * How many commits of `branch` are missing from the checkout in `dir` (0: it is up to date with it), or
 * undefined when the repository has no such branch. The ref it fetches into is the worktree's own.
 */
export async function commitsBehind({ url, dir, token, branch }: Omit<CloneRequest, 'sha'> & { branch: string }): Promise<number | undefined> {
  checkedBranch(branch);
  const git = gitIn(dir, url, token);
  try {
    await git('fetch', '--quiet', '--no-write-fetch-head', '--', url, `+refs/heads/${branch}:refs/worktree/slipway-base`);
  } catch (error) {
    if (/couldn't find remote ref|not our ref/i.test((error as Error).message)) return undefined;
    throw error;
  }
  return Number((await git('rev-list', '--count', 'HEAD..refs/worktree/slipway-base', '--')).trim());
}

/**
 * Whether the checked-out commit in `dir` is an ancestor of `of` (real git ancestry, `git merge-base
 * --is-ancestor`), fetching `of` when the checkout lacks it. Undefined when the repository no longer has `of`.
 */
export async function isAncestorOf({ url, dir, token, of }: Omit<CloneRequest, 'sha'> & { of: string }): Promise<boolean | undefined> {
  checkedSha(of);
  const git = gitIn(dir, url, token);
  if (!(await hasCommit(git, of))) {
    // One commit if the server hands it out, else every branch (servers that refuse unadvertised commits).
    await git('fetch', '--quiet', '--no-write-fetch-head', '--', url, of)
      .catch(() => git('fetch', '--quiet', '--no-write-fetch-head', '--', url, 'refs/heads/*').catch(() => ''));
    if (!(await hasCommit(git, of))) return undefined;
  }
  try {
    await git('merge-base', '--is-ancestor', '--', 'HEAD', of);
    return true;
  } catch (error) {
    if (error instanceof GitError && error.exitCode === 1) return false;
    throw error;
  }
}
