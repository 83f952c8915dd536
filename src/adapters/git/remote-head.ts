import { branchNameProblem } from '../../core/ref-name.js';
import { runGit } from './run-git.js';

/**
 * The sha a branch points at on the remote (`git ls-remote`), or undefined when there is no such branch. Bounded
 * in time: a slash command has 3 seconds to answer.
 */
export async function remoteHead(url: string, branch: string, { token, timeoutMs = 2_500 }: { token?: string; timeoutMs?: number } = {}): Promise<string | undefined> {
  const problem = branchNameProblem(branch);
  if (problem) throw new Error(`"${branch.slice(0, 80)}" is not a branch name git accepts: it ${problem}`);
  try {
    const stdout = await runGit(['ls-remote', '--heads', '--', url, `refs/heads/${branch}`], { url, token, timeoutMs });
    return /^([0-9a-f]{40})\s/.exec(stdout)?.[1];
  } catch (error) {
    // eslint-disable-next-line preserve-caught-error -- runGit's message is already scrubbed; its cause is not
    throw new Error(`cannot read branches of the repository: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
}
