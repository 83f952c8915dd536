import type { PortStore } from '../../src/core/ports.js';

export class MemoryPortStore implements PortStore {
  /** Per service, environment → port. */
  private readonly ports = new Map<string, Map<string, number>>();

  async allocate(service: string, environment: string, range: { from: number; to: number }): Promise<number> {
    const ports = this.ports.get(service) ?? new Map<string, number>();
    this.ports.set(service, ports);
    const existing = ports.get(environment);
    if (existing !== undefined) return existing;
    const taken = new Set(ports.values());
    for (let port = range.from; port <= range.to; port += 1) {
      if (!taken.has(port)) {
        ports.set(environment, port);
        return port;
      }
    }
    throw new Error(`every port of ${service}'s ephemeral range ${range.from}-${range.to} is taken: delete old branches or widen the range`);
  }

  async free(service: string, environment: string): Promise<void> {
    this.ports.get(service)?.delete(environment);
  }

  async get(service: string, environment: string): Promise<number | undefined> {
    return this.ports.get(service)?.get(environment);
  }
}
