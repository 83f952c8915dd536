import type { PassStore } from '../../src/core/ports.js';

export class MemoryPassStore implements PassStore {
  /** By `service:digest`. */
  private readonly passes = new Map<string, Set<string>>();

  async record(service: string, digest: string, environment: string): Promise<void> {
    const key = `${service}:${digest}`;
    this.passes.set(key, (this.passes.get(key) ?? new Set<string>()).add(environment));
  }

  async passed(service: string, digest: string): Promise<Set<string>> {
    return new Set(this.passes.get(`${service}:${digest}`));
  }
}
