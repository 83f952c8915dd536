import type { Deployment } from './ports.js';
import type { Run } from './run.js';

type Commit = Run['commits'][number];

/**
 * The commits a promotion would bring, newest first: every commit pushed to the branch by runs after the one
 * whose release is in the environment now, up to the candidate. From the runs' own records, so no clone.
 */
export function commitsBetween(runs: readonly Run[], currentRunId: string | undefined, candidate: Run, limit = 20): Commit[] {
  const sameLine = runs
    .filter((r) => r.branch === candidate.branch && r.createdAt <= candidate.createdAt)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const start = currentRunId ? sameLine.findIndex((r) => r.id === currentRunId) + 1 : 0;
  const seen = new Set<string>();
  const commits: Commit[] = [];
  for (const run of sameLine.slice(start).reverse()) {
    for (const commit of [...run.commits].reverse()) {
      if (seen.has(commit.sha)) continue;
      seen.add(commit.sha);
      commits.push(commit);
    }
  }
  return commits.slice(0, limit);
}

export type RollbackChoice = { ok: true; to: Deployment } | { ok: false; reason: string };

/**
 * What a rollback goes back to. By default the newest succeeded deployment of another digest than the one
 * running now; or the one whose tag, sha (or its start) or run id was asked for.
 */
export function rollbackTarget(history: readonly Deployment[], ask?: string): RollbackChoice {
  const succeeded = history.filter((d) => d.outcome === 'succeeded');
  const current = succeeded[0];
  if (!current) return { ok: false, reason: 'nothing has been deployed there yet' };
  if (ask) {
    const wanted = succeeded.find((d) => d.release.tag === ask || d.runId === ask || (ask.length >= 7 && d.release.sha.startsWith(ask)));
    if (!wanted) return { ok: false, reason: `no earlier successful deployment matches "${ask}" (give a tag, a sha or a run id from /slipway history)` };
    if (wanted.release.digest === current.release.digest) return { ok: false, reason: `${wanted.release.tag} is what runs there now` };
    return { ok: true, to: wanted };
  }
  const previous = succeeded.find((d) => d.release.digest !== current.release.digest);
  return previous ? { ok: true, to: previous } : { ok: false, reason: 'there is no earlier release to go back to' };
}
