import { lockAllows, type Lock } from './approval-policy.js';
import type { ServiceConfig } from './config-schema.js';
import { type ActiveFreeze, breaksFreeze, freezeLine } from './freeze.js';
import type { Quarantine } from './ports.js';
import { routeFor } from './routing.js';
import type { Run } from './run.js';

/**
 * Whether a release may enter an environment now: the checks a deploy stage and an approval gate both make.
 * `skip` is for a quarantined release: not a failure of the run, the environment is just left out.
 */
export type Admission = { ok: true } | { ok: false; skip?: true; cause: string };

export type AdmissionFacts = {
  service: ServiceConfig;
  environment: string;
  run: Pick<Run, 'trigger' | 'branch' | 'override' | 'breaks'>;
  /** The people this run deploys for here: who triggered it, and who approved it at this gate. */
  actingFor: readonly string[];
  lock?: Lock;
  freeze?: ActiveFreeze;
  /** Environments this release got through, and those the run will go through first. */
  passed: ReadonlySet<string>;
  quarantine?: Quarantine;
};

/**
 * The environments before `environment` in the promotion chain that the release has not got through. The
 * chain starts where the default branch deploys: environments listed before that (a QA side-track) are not
 * on the way to production.
 */
export function promotionGaps(service: ServiceConfig, environment: string, passed: ReadonlySet<string>): string[] {
  const names = service.environments.map((e) => e.name);
  const start = Math.max(names.indexOf(routeFor(service.branches, service.defaultBranch)?.deploy ?? ''), 0);
  return names.slice(start, Math.max(names.indexOf(environment), start)).filter((name) => !passed.has(name));
}

/** A rollback puts back what ran before: only a lock holds it off. Everything else must pass every check. */
export function admit(f: AdmissionFacts): Admission {
  if (f.lock && !f.actingFor.includes(f.lock.by)) {
    const refusal = lockAllows(f.lock, undefined);
    return { ok: false, cause: refusal.ok ? '' : refusal.reason };
  }
  const shared = f.service.environments.some((e) => e.name === f.environment);
  if (f.run.trigger === 'rollback' || !shared) return { ok: true };
  // Checked at decision and again at deploy time: a break glass gets past the freeze it was for, no other.
  if (f.freeze && !breaksFreeze(f.run, f.environment, f.freeze)) {
    return { ok: false, cause: `${freezeLine(f.environment, f.freeze)}. An approver can break glass: /deploy force ${f.run.branch} to ${f.environment} reason: …` };
  }
  const gaps = promotionGaps(f.service, f.environment, f.passed);
  if (gaps.length > 0) {
    return { ok: false, cause: `${f.environment} takes only releases that got through ${gaps.join(' and ')} first; deploy there first: /deploy ${f.run.branch} to ${gaps[0]}` };
  }
  if (f.quarantine) {
    return { ok: false, skip: true, cause: `${f.quarantine.tag} is quarantined in ${f.environment} (${f.quarantine.reason}); lift it with /slipway unquarantine ${f.environment}` };
  }
  return { ok: true };
}
