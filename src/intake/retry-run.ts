import { carryGrants, type Grant } from '../core/approval-grant.js';
import { approversFor } from '../core/approval-policy.js';
import type { ServiceConfig } from '../core/config-schema.js';
import { configuredCloneUrl } from '../core/repo-match.js';
import { newRun, type Run, stageEnvironment, stageKind } from '../core/run.js';
import { planStages, teardownStages } from '../core/stage-plan.js';
import { type NewRunDeps, startRun } from '../queue/start-run.js';
import type { SlackDirectory } from '../core/ports.js';

export type RetryDeps = NewRunDeps & {
  /** Re-signs the approvals a re-run of checks takes along (core/approval-grant.ts). */
  signingKey: Buffer;
  directory: SlackDirectory;
};

export type RetryAnswer = { runId: string; first: boolean };

/**
 * A new run of the same commit to the same environment, planned afresh from today's config. Once per run:
 * a second click (or a second person) is told the id of the retry already started.
 */
export async function retryRun(
  runId: string,
  by: { name: string; username?: string },
  deps: RetryDeps,
  { fromFailedStage = false } = {},
): Promise<RetryAnswer> {
  const old = await deps.runs.get(runId);
  if (!old) throw new Error(`run ${runId} is not known (runs are kept 30 days)`);
  const service = deps.services.find((s) => s.name === old.service);
  if (!service) throw new Error(`service ${old.service} is no longer in slipway.yml`);
  const failedAt = old.stages.findIndex((s) => s.name === old.failure?.stage);
  if (fromFailedStage && (failedAt < 0 || !old.release)) throw new Error(`run ${runId} did not fail after building a release`);
  const claimKey = `${fromFailedStage ? 'rerun' : 'retry'}:${runId}`;
  const id = deps.newRunId(service.name);
  const stages = fromFailedStage
    ? old.stages.slice(failedAt).map((s) => s.name)
    : old.trigger === 'delete'
      ? teardownStages(old.target)
      : planStages(service, old.target);
  // Re-running checks keeps the release: nothing is rebuilt or redeployed before them. It keeps the approvals
  // given for that very release too (a production deploy that failed its health check is re-run without asking
  // again), but only those slipway's signature still vouches for, and only when an approver asks for it: the
  // approval may be old, and using it again is an approver's call. A full Retry asks at every gate anew.
  let grants: Grant[] = [];
  if (fromFailedStage && old.release) {
    const environments = stages.filter((s) => stageKind(s) === 'deploy').map((s) => stageEnvironment(s) ?? '');
    grants = carryGrants(deps.signingKey, { runId: old.id, grants: old.grants }, { runId: id, digest: old.release.digest, environments });
    const refused = await environmentsNotApprovedBy(by.username, grants, service, deps.directory);
    if (refused.length > 0) {
      throw new Error(`re-running the checks deploys to ${refused.join(', ')} on the approval given before, which only an approver there may ask for; ask one, or use Retry to ask for approval again`);
    }
  }
  const earlier = await deps.once.claim(claimKey, id, 30 * 24 * 3600);
  if (earlier !== undefined) return { runId: earlier, first: false };
  const run: Run = newRun(
    {
      id,
      service: service.name,
      trigger: old.trigger === 'delete' ? 'delete' : 'retry',
      branch: old.branch,
      sha: old.sha,
      before: old.before,
      author: old.author,
      triggeredBy: by,
      commits: old.commits,
      // Today's config says where the code is, never the URL an earlier run stored.
      cloneUrl: configuredCloneUrl(service, old.source?.host) ?? '',
      source: old.source,
      target: old.target,
      stages,
      retryOf: old.id,
    },
    deps.now(),
  );
  if (fromFailedStage && old.release) {
    Object.assign(run, { release: old.release, quality: old.quality, ...(grants.length > 0 ? { grants } : {}) });
  }
  await startRun(run, claimKey, deps);
  return { runId: run.id, first: true };
}

/** The environments of `grants` that `userId` (a Slack id, from a Slack-signed click) may not approve. */
async function environmentsNotApprovedBy(userId: string | undefined, grants: readonly Grant[], service: ServiceConfig, directory: SlackDirectory): Promise<string[]> {
  const refused: string[] = [];
  for (const { environment: name } of grants) {
    const environment = service.environments.find((e) => e.name === name);
    const approvers = environment ? approversFor(service, environment) : undefined;
    const approves = !!userId && !!approvers && (approvers.users.includes(userId) || (await directory.groupMembers(approvers.groups)).has(userId));
    if (!approves) refused.push(name);
  }
  return refused;
}
