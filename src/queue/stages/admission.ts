import type { ServiceConfig } from '../../core/config-schema.js';
import { type Admission, admit } from '../../core/deploy-conditions.js';
import { freezeWindows, unbrokenFreeze } from '../../core/freeze.js';
import type { ApprovalStore, FreezeStore, LockStore, PassStore, QuarantineStore } from '../../core/ports.js';
import { type Run, slackTriggerOf } from '../../core/run.js';

export type AdmissionDeps = {
  locks: LockStore;
  approvals: ApprovalStore;
  passes: PassStore;
  quarantines: QuarantineStore;
  freezes: FreezeStore;
  now(): Date;
};

/**
 * Reads what `admit` needs about a run entering an environment: lock, freeze, passes, quarantine.
 * `atGate`: a lock does not stop a release at its approval gate. It waits there, and the approval decision
 * refuses everyone but the holder while the lock is held (see approval-decision.ts): a lock means wait.
 */
export async function admission(deps: AdmissionDeps, run: Run, service: ServiceConfig, environment: string, { atGate = false } = {}): Promise<Admission> {
  const digest = run.release?.digest ?? '';
  const [lock, approval, votes, passed, quarantine, adHoc] = await Promise.all([
    deps.locks.get(run.service, environment),
    deps.approvals.get(run.id, environment),
    deps.approvals.votes(run.id, environment),
    deps.passes.passed(run.service, digest),
    deps.quarantines.get(run.service, environment, digest),
    deps.freezes.get(run.service, environment),
  ]);
  const settings = service.environments.find((e) => e.name === environment);
  return admit({
    service,
    environment,
    run,
    // Slack ids from Slack-verified actions only: a push's username is whatever the pusher wrote in git.
    actingFor: [slackTriggerOf(run), approval?.decidedBy, ...votes.map((v) => v.by)].filter((p): p is string => !!p),
    lock: atGate ? undefined : lock,
    freeze: settings && unbrokenFreeze(run, environment, freezeWindows(settings.freezes, adHoc), deps.now()),
    passed,
    quarantine,
  });
}
