import type { Quarantine, QuarantineStore } from '../../src/core/ports.js';

export class MemoryQuarantineStore implements QuarantineStore {
  /** By `service:environment`: digest → quarantine, in the order first added (a Redis hash's order). */
  private readonly quarantines = new Map<string, Map<string, Quarantine>>();

  async add(quarantine: Quarantine): Promise<void> {
    const key = `${quarantine.service}:${quarantine.environment}`;
    const byDigest = this.quarantines.get(key) ?? new Map<string, Quarantine>();
    byDigest.set(quarantine.digest, structuredClone(quarantine));
    this.quarantines.set(key, byDigest);
  }

  async get(service: string, environment: string, digest: string): Promise<Quarantine | undefined> {
    const quarantine = this.quarantines.get(`${service}:${environment}`)?.get(digest);
    return quarantine === undefined ? undefined : structuredClone(quarantine);
  }

  async list(service: string, environment: string): Promise<Quarantine[]> {
    const all = [...(this.quarantines.get(`${service}:${environment}`)?.values() ?? [])].map((q) => structuredClone(q));
    return all.sort((a, b) => b.at.localeCompare(a.at));
  }

  async remove(service: string, environment: string, digest: string): Promise<boolean> {
    return this.quarantines.get(`${service}:${environment}`)?.delete(digest) ?? false;
  }
}
