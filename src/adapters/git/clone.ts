import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gitError, withToken } from './git-auth.js';

const run = promisify(execFile);

export type CloneRequest = { url: string; sha: string; dir: string; token?: string };

/** git in `dir`; an error carries what git said with the token cut out, never the command line. */
function gitIn(dir: string, token: string | undefined) {
  return async (...args: string[]): Promise<string> => {
    try {
      const { stdout } = await run('git', args, { cwd: dir, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 16 * 1024 * 1024 });
      return stdout;
    } catch (error) {
      // The cause is left off on purpose: it would carry the command line, token and all.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(gitError(error, token));
    }
  };
}

/**
 * A checkout of exactly `sha` in `dir`: a shallow fetch of that commit, or a full fetch when the server will
 * not hand out a single commit. An HTTP(S) token goes in the URL for this one command only, and is scrubbed
 * from any error.
 */
export async function cloneAt({ url, sha, dir, token }: CloneRequest): Promise<void> {
  const remote = withToken(url, token);
  const git = gitIn(dir, token);
  await run('git', ['init', '--quiet', dir]);
  try {
    await git('fetch', '--quiet', '--depth', '1', remote, sha);
  } catch {
    await git('fetch', '--quiet', remote, '+refs/heads/*:refs/remotes/origin/*');
  }
  await git('-c', 'advice.detachedHead=false', 'checkout', '--quiet', sha);
}

/**
 * How many commits of `branch` are missing from the checkout in `dir` (0: it is up to date with it), or
 * undefined when the repository has no such branch. Deepens a shallow checkout: ancestry needs history.
 */
export async function commitsBehind({ url, dir, token, branch }: Omit<CloneRequest, 'sha'> & { branch: string }): Promise<number | undefined> {
  const remote = withToken(url, token);
  const git = gitIn(dir, token);
  if ((await git('rev-parse', '--is-shallow-repository')).trim() === 'true') await git('fetch', '--quiet', '--unshallow', remote, 'HEAD');
  try {
    await git('fetch', '--quiet', remote, `+refs/heads/${branch}:refs/slipway/base`);
  } catch (error) {
    if (/couldn't find remote ref|not our ref/i.test((error as Error).message)) return undefined;
    throw error;
  }
  return Number((await git('rev-list', '--count', 'HEAD..refs/slipway/base')).trim());
}
