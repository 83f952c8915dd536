import type { VersionClaim, VersionRecord, VersionStore } from '../../src/core/ports.js';

export class MemoryVersionStore implements VersionStore {
  /** Newest first, per service. */
  private readonly records = new Map<string, VersionRecord[]>();

  private of(service: string): VersionRecord[] {
    return this.records.get(service) ?? [];
  }

  async ofSha(service: string, sha: string): Promise<VersionRecord | undefined> {
    const found = this.of(service).find((r) => r.sha === sha);
    return found && structuredClone(found);
  }

  async latest(service: string): Promise<VersionRecord | undefined> {
    const found = this.of(service)[0];
    return found && structuredClone(found);
  }

  async claim(record: VersionRecord): Promise<VersionClaim> {
    const had = this.of(record.service).find((r) => r.sha === record.sha);
    if (had) return { ok: true, record: structuredClone(had), fresh: false };
    const holder = this.of(record.service).find((r) => r.version === record.version);
    if (holder) return { ok: false, holder: structuredClone(holder) };
    this.records.set(record.service, [structuredClone(record), ...this.of(record.service)].slice(0, 1000));
    return { ok: true, record: structuredClone(record), fresh: true };
  }

  async list(service: string, limit = 20): Promise<VersionRecord[]> {
    return structuredClone(this.of(service).slice(0, limit));
  }
}
