import type { Lock } from '../../src/core/approval-policy.js';
import type { GateScheduler } from '../../src/core/ports.js';

/** Scheduled gate jobs, keyed as BullGateScheduler's job ids are: scheduling the same one twice keeps one. */
export class MemoryGateScheduler implements GateScheduler {
  readonly expiries = new Map<string, { runId: string; environment: string; at: Date }>();
  readonly reminders = new Map<string, { lock: Lock; at: Date }>();

  async scheduleExpiry(runId: string, environment: string, at: Date): Promise<void> {
    const id = `expire-${runId}-${environment}`;
    if (!this.expiries.has(id)) this.expiries.set(id, { runId, environment, at });
  }

  async remindLockHolder(lock: Lock, at: Date): Promise<void> {
    const id = `remind-${lock.service}-${lock.environment}-${lock.by}-${Date.parse(lock.at)}-${at.getTime()}`;
    if (!this.reminders.has(id)) this.reminders.set(id, { lock, at });
  }
}
