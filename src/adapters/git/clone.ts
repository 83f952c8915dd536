import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type CloneRequest = { url: string; sha: string; dir: string; token?: string };

/**
 * A checkout of exactly `sha` in `dir`: a shallow fetch of that commit, or a full fetch when the server will
 * not hand out a single commit. An HTTP(S) token goes in the URL for this one command only, and is scrubbed
 * from any error.
 */
export async function cloneAt({ url, sha, dir, token }: CloneRequest): Promise<void> {
  const remote = token ? withToken(url, token) : url;
  const git = async (...args: string[]) => {
    try {
      await run('git', args, { cwd: dir, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const message = ((error as { stderr?: string }).stderr || (error as Error).message).trim();
      // The cause is left off on purpose: it would carry the command line, token and all.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(token ? message.split(token).join('[redacted]') : message);
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

function withToken(url: string, token: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return url;
  parsed.username = 'x-access-token';
  parsed.password = token;
  return parsed.toString();
}
