import type { LogStore } from '../../src/core/ports.js';
import { ExpiringMap } from './expiring-map.js';

const MAX_LOG_LINES = 5_000;
const MAX_LINE = 2_000;
const KEEP_MS = 30 * 24 * 3600 * 1000;

export class MemoryLogStore implements LogStore {
  /** By `runId:stage`; each append gives the stage's log its 30 days again. */
  private readonly logs: ExpiringMap<string[]>;

  constructor(now: () => number = Date.now) {
    this.logs = new ExpiringMap(now);
  }

  async append(runId: string, stage: string, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const key = `${runId}:${stage}`;
    const cut = lines.map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l));
    this.logs.set(key, [...(this.logs.get(key) ?? []), ...cut].slice(-MAX_LOG_LINES), KEEP_MS);
  }

  async read(runId: string, stage: string): Promise<string[]> {
    return [...(this.logs.get(`${runId}:${stage}`) ?? [])];
  }
}
