import { isFinished, type Run, stageEnvironment, stageKind } from './run.js';

/** The states of GitHub's Deployments API that slipway uses, in the order a deployment goes through them. */
export type DeploymentState = 'queued' | 'in_progress' | 'success' | 'failure' | 'inactive';

const RANK: Record<DeploymentState, number> = { queued: 0, in_progress: 1, success: 2, failure: 2, inactive: 2 };

/** A deployment only moves forward: a late report of an earlier state must not undo a later one. */
export function movesForward(from: DeploymentState | undefined, to: DeploymentState): boolean {
  return from === undefined || RANK[to] > RANK[from];
}

export type DeploymentStates = {
  /**
   * Per environment this run deploys to, its deployment's state now; absent until there is a release to deploy
   * and while a gate stands before it. `started`: the deploy stage has run (a deployment that was never
   * queued is not worth recording as failed or inactive).
   */
  deployments: { environment: string; state: DeploymentState; started: boolean }[];
  /** Environments this run tore down: what ran there is no longer deployed anywhere. */
  retired: string[];
};

/**
 * What a git host's deployment records should say about a run: a deploy is queued once its release is built
 * and no approval gate is still open before it, in progress while it runs, success or failure when done. One
 * that never ran ends as a failure when the run failed, else inactive (cancelled, superseded, skipped as
 * quarantined).
 */
export function deploymentStates(run: Run): DeploymentStates {
  const deployments: DeploymentStates['deployments'] = [];
  run.stages.forEach((stage, i) => {
    if (stageKind(stage.name) !== 'deploy') return;
    const environment = stageEnvironment(stage.name) ?? '';
    const gated = run.stages.slice(0, i).some((s) => stageKind(s.name) === 'approval' && (s.status === 'pending' || s.status === 'running'));
    const ended = isFinished(run) ? (run.status === 'failed' ? 'failure' : 'inactive') : undefined;
    const state = stateOf(stage.status, ended, gated || !run.release);
    if (state) deployments.push({ environment, state, started: stage.status !== 'pending' && stage.status !== 'skipped' });
  });
  const retired = run.stages.filter((s) => stageKind(s.name) === 'teardown' && s.status === 'passed').map((s) => stageEnvironment(s.name) ?? '');
  return { deployments, retired };
}

function stateOf(status: Run['stages'][number]['status'], runEnded: DeploymentState | undefined, waiting: boolean): DeploymentState | undefined {
  switch (status) {
    case 'passed':
      return 'success';
    case 'failed':
      return 'failure';
    case 'running':
      return 'in_progress';
    case 'skipped':
      return 'inactive';
    case 'pending':
      return runEnded ?? (waiting ? undefined : 'queued');
  }
}
