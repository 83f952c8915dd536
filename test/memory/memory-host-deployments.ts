import type { HostDeployment, HostDeploymentRecords, LiveHostDeployment } from '../../src/core/ports.js';
import { ExpiringMap } from './expiring-map.js';

const DAY_MS = 24 * 3600 * 1000;
const KEEP_MS = 30 * DAY_MS;
const LIVE_MS = 365 * DAY_MS;

type PerRun = Map<string, HostDeployment | 'creating'>;

/**
 * The git host's deployments as RedisHostDeployments keeps them: one hash per run whose 30 days start at each
 * claim (a `set` keeps the time the claim gave it), and the live one per environment, a year.
 */
export class MemoryHostDeployments implements HostDeploymentRecords {
  private readonly runs: ExpiringMap<PerRun>;
  private readonly live: ExpiringMap<LiveHostDeployment>;

  constructor(now: () => number = Date.now) {
    this.runs = new ExpiringMap(now);
    this.live = new ExpiringMap(now);
  }

  async get(runId: string, environment: string): Promise<HostDeployment | 'creating' | undefined> {
    const value = this.runs.get(runId)?.get(environment);
    return value === undefined || value === 'creating' ? value : { ...value };
  }

  // No await between the look and the write: of racing claims one wins, as with HSETNX.
  async claim(runId: string, environment: string): Promise<boolean> {
    const perRun = this.runs.get(runId) ?? new Map();
    const claimed = !perRun.has(environment);
    if (claimed) perRun.set(environment, 'creating');
    this.runs.set(runId, perRun, KEEP_MS);
    return claimed;
  }

  async set(runId: string, environment: string, deployment: HostDeployment): Promise<void> {
    const perRun = this.runs.get(runId) ?? new Map();
    perRun.set(environment, { ...deployment });
    this.runs.set(runId, perRun, KEEP_MS);
  }

  async forget(runId: string, environment: string): Promise<void> {
    const perRun = this.runs.get(runId);
    perRun?.delete(environment);
    // Redis drops a hash with no fields left, and its time to live with it.
    if (perRun?.size === 0) this.runs.delete(runId);
  }

  async setLive(service: string, environment: string, live: LiveHostDeployment): Promise<void> {
    this.live.set(liveKey(service, environment), { ...live }, LIVE_MS);
  }

  async takeLive(service: string, environment: string): Promise<LiveHostDeployment | undefined> {
    const key = liveKey(service, environment);
    const live = this.live.get(key);
    this.live.delete(key);
    return live;
  }
}

const liveKey = (service: string, environment: string) => JSON.stringify([service, environment]);
