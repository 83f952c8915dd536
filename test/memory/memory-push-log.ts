import type { PushLog, PushRecord } from '../../src/core/ports.js';
import { ExpiringMap } from './expiring-map.js';

const KEPT = 50;
const KEEP_MS = 30 * 24 * 3600 * 1000;

export class MemoryPushLog implements PushLog {
  /** By `service:branch`, newest first; each write gives it its 30 days again. */
  private readonly pushes: ExpiringMap<PushRecord[]>;

  constructor(now: () => number = Date.now) {
    this.pushes = new ExpiringMap(now);
  }

  async record(service: string, branch: string, push: PushRecord): Promise<void> {
    const key = `${service}:${branch}`;
    this.pushes.set(key, [structuredClone(push), ...(this.pushes.get(key) ?? [])].slice(0, KEPT), KEEP_MS);
  }

  /** At the old end, then cut to the newest 50 as the Redis store does: on a full log the late push is not kept. */
  async link(service: string, branch: string, push: Omit<PushRecord, 'runId'>): Promise<void> {
    const key = `${service}:${branch}`;
    this.pushes.set(key, [...(this.pushes.get(key) ?? []), structuredClone(push)].slice(0, KEPT), KEEP_MS);
  }

  async recent(service: string, branch: string): Promise<PushRecord[]> {
    return structuredClone(this.pushes.get(`${service}:${branch}`) ?? []);
  }
}
