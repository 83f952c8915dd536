import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gitError, withToken } from './git-auth.js';

const run = promisify(execFile);

/**
 * The sha a branch points at on the remote (`git ls-remote`), or undefined when there is no such branch. Bounded
 * in time: a slash command has 3 seconds to answer.
 */
export async function remoteHead(url: string, branch: string, { token, timeoutMs = 2_500 }: { token?: string; timeoutMs?: number } = {}): Promise<string | undefined> {
  const remote = withToken(url, token);
  try {
    const { stdout } = await run('git', ['ls-remote', '--heads', remote, `refs/heads/${branch}`], {
      timeout: timeoutMs,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
    return /^([0-9a-f]{40})\s/.exec(stdout)?.[1];
  } catch (error) {
    // eslint-disable-next-line preserve-caught-error -- the cause would carry the URL with its token
    throw new Error(`cannot read branches of the repository: ${gitError(error, token).split('\n')[0] ?? ''}`);
  }
}
