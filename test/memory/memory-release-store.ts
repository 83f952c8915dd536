import type { Release, ReleaseStore } from '../../src/core/ports.js';
import { zrevOrder } from './redis-order.js';

export class MemoryReleaseStore implements ReleaseStore {
  /** By `service:sha`. */
  private readonly releases = new Map<string, Release>();
  /** By `service:branch`: sha → creation time, the sorted set Redis keeps. */
  private readonly onBranch = new Map<string, Map<string, number>>();

  async get(service: string, sha: string): Promise<Release | undefined> {
    const release = this.releases.get(`${service}:${sha}`);
    return release === undefined ? undefined : structuredClone(release);
  }

  async save(release: Release): Promise<void> {
    this.releases.set(`${release.service}:${release.sha}`, structuredClone(release));
    const key = `${release.service}:${release.branch}`;
    const index = this.onBranch.get(key) ?? new Map<string, number>();
    index.set(release.sha, Date.parse(release.createdAt));
    this.onBranch.set(key, index);
  }

  async latestOnBranch(service: string, branch: string): Promise<Release | undefined> {
    const [sha] = zrevOrder(this.onBranch.get(`${service}:${branch}`) ?? new Map());
    return sha === undefined ? undefined : this.get(service, sha);
  }
}
