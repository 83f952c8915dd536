import type { AuditLog, LockStore, QuarantineStore } from '../core/ports.js';

export type QuarantineDeps = { quarantines: QuarantineStore; locks: LockStore; audit: AuditLog };

/**
 * After a rollback, the release that was taken out stays out: its digest is quarantined for the environment
 * (automatic promotion skips it until `/slipway unquarantine`), and the environment is locked until someone unlocks
 * it. The lock is held by who rolled back (slipway, when it was automatic), so their rollback still goes in.
 */
export async function quarantineRolledBack(
  deps: QuarantineDeps,
  what: { service: string; environment: string; release: { digest: string; tag: string }; by: string; at: Date; runId?: string },
): Promise<void> {
  const at = what.at.toISOString();
  const by = what.by === 'slipway' ? 'slipway (automatic rollback)' : `<@${what.by}>`;
  const reason = `rolled back by ${by}`;
  await deps.quarantines.add({ service: what.service, environment: what.environment, digest: what.release.digest, tag: what.release.tag, by: what.by, at, reason });
  await deps.audit.record({ at, service: what.service, environment: what.environment, action: 'quarantine', by: what.by, runId: what.runId, detail: `${what.release.tag}: ${reason}` });
  const taken = await deps.locks.take({ service: what.service, environment: what.environment, by: what.by, reason, at });
  if (taken.ok) await deps.audit.record({ at, service: what.service, environment: what.environment, action: 'lock', by: what.by, runId: what.runId, detail: reason });
}
