import type { RunStore } from '../../src/core/ports.js';
import { Run } from '../../src/core/run.js';
import { lrange, zrevOrder } from './redis-order.js';

/** RedisRunStore in memory: `save` does not index a run, only `create` does; `get` parses the run as Redis's does. */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, Run>();
  /** Per service, run id → creation time: the sorted set Redis keeps. */
  private readonly byService = new Map<string, Map<string, number>>();

  async create(run: Run): Promise<void> {
    this.runs.set(run.id, structuredClone(run));
    const index = this.byService.get(run.service) ?? new Map<string, number>();
    index.set(run.id, Date.parse(run.createdAt));
    this.byService.set(run.service, index);
  }

  async save(run: Run): Promise<Run | undefined> {
    const before = this.runs.get(run.id);
    this.runs.set(run.id, structuredClone(run));
    return before === undefined ? undefined : Run.parse(before);
  }

  async get(id: string): Promise<Run | undefined> {
    const run = this.runs.get(id);
    return run === undefined ? undefined : Run.parse(structuredClone(run));
  }

  async delete(id: string): Promise<void> {
    const run = this.runs.get(id);
    this.runs.delete(id);
    if (run) this.byService.get(run.service)?.delete(id);
  }

  async listByService(service: string, limit = 20): Promise<Run[]> {
    const ids = lrange(zrevOrder(this.byService.get(service) ?? new Map()), 0, limit - 1);
    return ids.flatMap((id) => {
      const run = this.runs.get(id);
      return run === undefined ? [] : [Run.parse(structuredClone(run))];
    });
  }
}
