import type { ApprovalStore, LockStore, RunEvents, RunStore } from '../../core/ports.js';

type Announced = { runs: RunStore; approvals: ApprovalStore; locks: LockStore };

/**
 * The stores that tell Slack what changed, themselves: a run created or saved, an approval request opened,
 * decided or voted on (its card changes), a lock taken or given up (the cards waiting at that gate show it).
 * No caller announces anything by hand, so none can forget to. An announcement that cannot be queued is
 * reported and the write stands: the next change brings Slack up to date.
 */
export function announcingStores<S extends Announced>(stores: S, events: RunEvents, onError: (error: unknown, runId: string) => void): S {
  const announce = async (runId: string) => {
    await events.changed(runId).catch((error: unknown) => onError(error, runId));
  };
  const { runs, approvals, locks } = stores;
  const cardsAt = async (service: string, environment: string) => {
    for (const waiting of await approvals.pending(service)) {
      if (waiting.environment === environment) await announce(waiting.runId);
    }
  };
  return {
    ...stores,
    runs: {
      get: (id) => runs.get(id),
      delete: (id) => runs.delete(id),
      listByService: (service, limit) => runs.listByService(service, limit),
      async create(run) {
        await runs.create(run);
        await announce(run.id);
      },
      async save(run) {
        const before = await runs.save(run);
        await announce(run.id);
        return before;
      },
    } satisfies RunStore,
    approvals: {
      get: (runId, environment) => approvals.get(runId, environment),
      pending: (service) => approvals.pending(service),
      votes: (runId, environment) => approvals.votes(runId, environment),
      async open(approval) {
        const superseded = await approvals.open(approval);
        for (const old of superseded) await announce(old.runId);
        await announce(approval.runId);
        return superseded;
      },
      // Announced even when it came too late: the clicker's card may be the stale one.
      async decide(runId, environment, decision) {
        const decided = await approvals.decide(runId, environment, decision);
        await announce(runId);
        return decided;
      },
      async vote(runId, environment, vote) {
        const counted = await approvals.vote(runId, environment, vote);
        if (counted) await announce(runId);
        return counted;
      },
    } satisfies ApprovalStore,
    locks: {
      get: (service, environment) => locks.get(service, environment),
      list: (service) => locks.list(service),
      queue: (service, environment) => locks.queue(service, environment),
      enqueue: (service, environment, waiter) => locks.enqueue(service, environment, waiter),
      async take(lock) {
        const taken = await locks.take(lock);
        if (taken.ok) await cardsAt(lock.service, lock.environment);
        return taken;
      },
      async release(service, environment, at) {
        const next = await locks.release(service, environment, at);
        await cardsAt(service, environment);
        return next;
      },
    } satisfies LockStore,
  };
}
