import type { Redis } from 'ioredis';
import type { Release, ReleaseStore } from '../../core/ports.js';
import { keys } from './redis-keys.js';
import { commit } from './commit.js';

export class RedisReleaseStore implements ReleaseStore {
  constructor(private readonly redis: Redis) {}

  async get(service: string, sha: string): Promise<Release | undefined> {
    const text = await this.redis.get(keys.release(service, sha));
    return text === null ? undefined : (JSON.parse(text) as Release);
  }

  async save(release: Release): Promise<void> {
    await commit(
      this.redis
        .multi()
        .set(keys.release(release.service, release.sha), JSON.stringify(release))
        .zadd(keys.releasesOnBranch(release.service, release.branch), Date.parse(release.createdAt), release.sha)
    );
  }

  async latestOnBranch(service: string, branch: string): Promise<Release | undefined> {
    const [sha] = await this.redis.zrevrange(keys.releasesOnBranch(service, branch), 0, 0);
    return sha ? this.get(service, sha) : undefined;
  }
}
