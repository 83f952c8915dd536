import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cloneUrlProblem } from '../../core/clone-url.js';
import { gitError, tokenEnv } from './git-auth.js';

const run = promisify(execFile);

/** git failed; `exitCode` tells a "no" (1 from `merge-base --is-ancestor`) from a failure. */
export class GitError extends Error {
  constructor(message: string, readonly exitCode: number | undefined) {
    super(message);
  }
}

export type GitOptions = {
  /** The remote the command talks to: checked before git sees it, and the one host the token goes to. */
  url?: string;
  token?: string;
  cwd?: string;
  timeoutMs?: number;
};

/** A clone URL that may reach git, or an error naming what is wrong with it. */
export function checkedCloneUrl(url: string): string {
  const problem = cloneUrlProblem(url);
  if (problem) throw new Error(`refusing to clone from "${url.slice(0, 200)}": the URL ${problem}`);
  return url;
}

/**
 * Runs git with `args` (whose options the caller ends with `--`), never prompting, never running a remote
 * helper or a transport other than those slipway clones over, the token in git's environment only. An error
 * carries what git said with the token cut out, never the command line.
 */
export async function runGit(args: readonly string[], { url, token, cwd, timeoutMs }: GitOptions = {}): Promise<string> {
  if (url !== undefined) checkedCloneUrl(url);
  const env = {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ALLOW_PROTOCOL: 'https:http:ssh:file',
    ...(url ? tokenEnv(url, token) : {}),
  };
  try {
    const { stdout } = await run('git', [...args], { cwd, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    // The cause is left off on purpose: it would carry the command line and environment.
    const code = (error as { code?: unknown }).code;
    throw new GitError(gitError(error, token), typeof code === 'number' ? code : undefined);
  }
}
