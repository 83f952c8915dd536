import type { Lock } from '../../src/core/approval-policy.js';
import type { LockStore, LockWaiter } from '../../src/core/ports.js';

export class MemoryLockStore implements LockStore {
  /** By `service:environment`. */
  private readonly locks = new Map<string, Lock>();
  /** Per service, the environments locked (kept while the lock passes from one holder to the next). */
  private readonly lockedEnvironments = new Map<string, Set<string>>();
  /** By `service:environment`, first in line first. */
  private readonly queues = new Map<string, LockWaiter[]>();

  async get(service: string, environment: string): Promise<Lock | undefined> {
    const lock = this.locks.get(`${service}:${environment}`);
    return lock === undefined ? undefined : structuredClone(lock);
  }

  async take(lock: Lock): Promise<{ ok: boolean; lock: Lock; edited?: boolean }> {
    const key = `${lock.service}:${lock.environment}`;
    const held = this.locks.get(key);
    if (held !== undefined) {
      if (held.by !== lock.by) return { ok: false, lock: structuredClone(held) };
      // The holder may change the reason; since when they hold it stays.
      const edited = { ...held, reason: lock.reason };
      this.locks.set(key, structuredClone(edited));
      return { ok: true, lock: structuredClone(edited), edited: true };
    }
    this.locks.set(key, structuredClone(lock));
    this.environmentsOf(lock.service).add(lock.environment);
    return { ok: true, lock: structuredClone(lock) };
  }

  // In one step, as the Redis script: nobody can take the lock between the unlock and the hand-over.
  async release(service: string, environment: string, at: Date): Promise<Lock | undefined> {
    const key = `${service}:${environment}`;
    this.locks.delete(key);
    const next = this.queues.get(key)?.shift();
    if (next === undefined) {
      this.environmentsOf(service).delete(environment);
      return undefined;
    }
    const lock: Lock = { service, environment, by: next.by, reason: next.reason, at: at.toISOString() };
    this.locks.set(key, lock);
    return structuredClone(lock);
  }

  async list(service: string): Promise<Lock[]> {
    return [...this.environmentsOf(service)].flatMap((e) => {
      const lock = this.locks.get(`${service}:${e}`);
      return lock === undefined ? [] : [structuredClone(lock)];
    });
  }

  async enqueue(service: string, environment: string, waiter: LockWaiter): Promise<number> {
    const key = `${service}:${environment}`;
    const queue = this.queues.get(key) ?? [];
    this.queues.set(key, queue);
    const at = queue.findIndex((w) => w.by === waiter.by);
    if (at >= 0) return at + 1;
    return queue.push(structuredClone(waiter));
  }

  async queue(service: string, environment: string): Promise<LockWaiter[]> {
    return structuredClone(this.queues.get(`${service}:${environment}`) ?? []);
  }

  private environmentsOf(service: string): Set<string> {
    const set = this.lockedEnvironments.get(service) ?? new Set<string>();
    this.lockedEnvironments.set(service, set);
    return set;
  }
}
