import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gitError, withToken } from './git-auth.js';

const run = promisify(execFile);

export type CloneRequest = { url: string; sha: string; dir: string; token?: string };

/**
 * A checkout of exactly `sha` in `dir`: a shallow fetch of that commit, or a full fetch when the server will
 * not hand out a single commit. An HTTP(S) token goes in the URL for this one command only, and is scrubbed
 * from any error.
 */
export async function cloneAt({ url, sha, dir, token }: CloneRequest): Promise<void> {
  const remote = withToken(url, token);
  const git = async (...args: string[]) => {
    try {
      await run('git', args, { cwd: dir, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      // The cause is left off on purpose: it would carry the command line, token and all.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(gitError(error, token));
    }
  };
  await run('git', ['init', '--quiet', dir]);
  try {
    await git('fetch', '--quiet', '--depth', '1', remote, sha);
  } catch {
    await git('fetch', '--quiet', remote, '+refs/heads/*:refs/remotes/origin/*');
  }
  await git('-c', 'advice.detachedHead=false', 'checkout', '--quiet', sha);
}
