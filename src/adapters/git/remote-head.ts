import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The sha a branch points at on the remote (`git ls-remote`), or undefined when there is no such branch. Bounded
 * in time: a slash command has 3 seconds to answer.
 */
export async function remoteHead(url: string, branch: string, { token, timeoutMs = 2_500 }: { token?: string; timeoutMs?: number } = {}): Promise<string | undefined> {
  let remote = url;
  if (token && /^https?:/.test(url)) {
    const parsed = new URL(url);
    parsed.username = 'x-access-token';
    parsed.password = token;
    remote = parsed.toString();
  }
  try {
    const { stdout } = await run('git', ['ls-remote', '--heads', remote, `refs/heads/${branch}`], {
      timeout: timeoutMs,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
    return /^([0-9a-f]{40})\s/.exec(stdout)?.[1];
  } catch (error) {
    const message = ((error as { stderr?: string }).stderr || (error as Error).message).trim().split('\n')[0] ?? '';
    // eslint-disable-next-line preserve-caught-error -- the cause would carry the URL with its token
    throw new Error(`cannot read branches of the repository: ${token ? message.split(token).join('[redacted]') : message}`);
  }
}
