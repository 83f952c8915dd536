import type { AuditEntry, AuditLog } from '../../src/core/ports.js';

const KEPT = 5_000;

export class MemoryAuditLog implements AuditLog {
  /** Per service, newest first. */
  private readonly entries = new Map<string, AuditEntry[]>();

  async record(entry: AuditEntry): Promise<void> {
    this.entries.set(entry.service, [structuredClone(entry), ...(this.entries.get(entry.service) ?? [])].slice(0, KEPT));
  }

  async list(service: string, environment?: string, limit = 10): Promise<AuditEntry[]> {
    const entries = structuredClone(this.entries.get(service) ?? []);
    return entries.filter((e) => environment === undefined || e.environment === environment).slice(0, limit);
  }
}
