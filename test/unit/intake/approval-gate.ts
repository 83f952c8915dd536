import { signRelease } from '../../../src/core/approval-grant.js';
import type { People } from '../../../src/core/config-schema.js';
import type { Approval } from '../../../src/core/ports.js';
import { parkRun, passStage, type Run } from '../../../src/core/run.js';
import type { ApprovalClick, ApprovalDeps } from '../../../src/intake/approval-decision.js';
import { intakePorts, NOW, services, sha, shopRun, SIGNING_KEY, SLIPWAY_YML } from './intake-scene.js';

export const RUN_ID = 'shop-r1';
export const DIGEST = `sha256:${'d'.repeat(64)}`;
export const OTHER_DIGEST = `sha256:${'e'.repeat(64)}`;
export const TAG = 'main-2222222';
export const PAT = { name: 'Pat Pusher', email: 'pat@example.com', username: 'pat' };

/** Slack's answers: Ann and Pat by e-mail, Dave through the release group. */
export const SLACK_USERS = { 'ann@example.com': 'UANN', 'pat@example.com': 'UPAT' };
export const SLACK_GROUPS = { SRELEASE: ['UDAVE'] };

/** slipway.yml with more keys on shop's production environment (`allowSelfApproval: true`, …). */
export const withProduction = (keys: string) => SLIPWAY_YML.replace('requireApproval: true', `requireApproval: true, ${keys}`);

export type GateOptions = {
  yaml?: string;
  people?: People;
  users?: Record<string, string>;
  /** Changes to the run before it is stored (who started it, an override, …). */
  run?: (run: Run) => Run;
  approval?: Partial<Approval>;
};

/**
 * Run shop-r1 of Ann's commit (pushed by Pat), built as DIGEST, deployed to staging and parked at
 * production's approval gate, with its request open and signed, as the pipeline leaves it. What that took
 * to set up is not in `events.changes`.
 */
export async function approvalGate(options: GateOptions = {}) {
  const ports = intakePorts({ users: options.users ?? SLACK_USERS, groups: SLACK_GROUPS });
  const config = services(options.yaml);
  const fresh = shopRun({ id: RUN_ID, triggeredBy: PAT }, NOW, config);
  const built = ['checkout', 'build', 'push', 'deploy:staging'].reduce((run, stage) => passStage(run, stage, NOW), fresh);
  const parked = parkRun({ ...built, release: { image: '127.0.0.1:5000/shop', tag: TAG, digest: DIGEST, reused: false } }, 'approval:production', NOW);
  await ports.runs.create((options.run ?? ((r) => r))(parked));
  await ports.approvals.open({
    runId: RUN_ID,
    service: 'shop',
    environment: 'production',
    digest: DIGEST,
    tag: TAG,
    sha: sha('2'),
    state: 'pending',
    requestedAt: new Date(NOW.getTime() - 3600_000).toISOString(),
    expiresAt: new Date(NOW.getTime() + 23 * 3600_000).toISOString(),
    signature: signRelease(SIGNING_KEY, { runId: RUN_ID, environment: 'production', digest: DIGEST }),
    ...options.approval,
  });
  ports.events.changes.splice(0);
  const deps: ApprovalDeps = { ...ports, services: config, people: options.people ?? {}, now: () => NOW, signingKey: SIGNING_KEY };
  return { ports, deps };
}

/** What the card's button carries when `userId` clicks it: the release the card showed, signed by slipway. */
export function click(userId: string, decision: 'approve' | 'reject' = 'approve', fields: Partial<ApprovalClick> = {}): ApprovalClick {
  return {
    runId: RUN_ID,
    environment: 'production',
    userId,
    decision,
    digest: DIGEST,
    signature: signRelease(SIGNING_KEY, { runId: RUN_ID, environment: 'production', digest: DIGEST }),
    ...fields,
  };
}
