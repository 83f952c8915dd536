import { octokitFor } from './octokit.js';
import { commitState } from '../../core/commit-state.js';
import type { Run } from '../../core/run.js';

export type CommitStatusOptions = {
  github?: { token: string; apiUrl: string };
  gitea?: { token: string; apiUrl: string };
  runUrl?(runId: string): string;
};

const CONTEXT = 'slipway';

/**
 * Reports a run's verdict on its commit to the host it came from: GitHub through @octokit/rest, Gitea through
 * its own statuses API (same shape). Gogs and GitLab have none that slipway uses. Best effort: a host that
 * fails is the caller's to log; the run goes on.
 */
export function commitStatuses(options: CommitStatusOptions) {
  const github = options.github && octokitFor(options.github);
  return {
    async report(run: Run): Promise<void> {
      const verdict = commitState(run);
      const [owner, repo] = run.source?.fullName.split('/') ?? [];
      if (!verdict || !owner || !repo || !/^[0-9a-f]{40}$/.test(run.sha)) return;
      const body = { state: verdict.state, description: verdict.description, context: CONTEXT, target_url: options.runUrl?.(run.id) };
      if (run.source?.host === 'github' && github) {
        await (await github()).rest.repos.createCommitStatus({ owner, repo, sha: run.sha, ...body });
      } else if (run.source?.host === 'gitea' && options.gitea) {
        const res = await fetch(`${options.gitea.apiUrl.replace(/\/$/, '')}/repos/${owner}/${repo}/statuses/${run.sha}`, {
          method: 'POST',
          headers: { authorization: `token ${options.gitea.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`Gitea answered ${res.status} to a commit status`);
      }
    },
  };
}
