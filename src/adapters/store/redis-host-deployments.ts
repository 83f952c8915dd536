import type { Redis } from 'ioredis';
import type { HostDeployment, HostDeploymentRecords, LiveHostDeployment } from '../../core/ports.js';
import { commit } from './commit.js';
import { keys } from './redis-keys.js';

const CREATING = 'creating';
const KEEP_SECONDS = 30 * 24 * 3600;
const LIVE_SECONDS = 365 * 24 * 3600;

/** A hash per run (environment → deployment), kept 30 days from its last write; the live one per environment, a year. */
export class RedisHostDeployments implements HostDeploymentRecords {
  constructor(private readonly redis: Redis) {}

  async get(runId: string, environment: string): Promise<HostDeployment | 'creating' | undefined> {
    const raw = await this.redis.hget(keys.githubDeployments(runId), environment);
    return raw === null ? undefined : raw === CREATING ? CREATING : (JSON.parse(raw) as HostDeployment);
  }

  async claim(runId: string, environment: string): Promise<boolean> {
    const key = keys.githubDeployments(runId);
    const [claimed] = await commit(this.redis.multi().hsetnx(key, environment, CREATING).expire(key, KEEP_SECONDS));
    return claimed === 1;
  }

  async set(runId: string, environment: string, deployment: HostDeployment): Promise<void> {
    const key = keys.githubDeployments(runId);
    await commit(this.redis.multi().hset(key, environment, JSON.stringify(deployment)).expire(key, KEEP_SECONDS));
  }

  async forget(runId: string, environment: string): Promise<void> {
    await this.redis.hdel(keys.githubDeployments(runId), environment);
  }

  async setLive(service: string, environment: string, live: LiveHostDeployment): Promise<void> {
    await this.redis.set(keys.liveGithubDeployment(service, environment), JSON.stringify(live), 'EX', LIVE_SECONDS);
  }

  async takeLive(service: string, environment: string): Promise<LiveHostDeployment | undefined> {
    const live = await this.redis.getdel(keys.liveGithubDeployment(service, environment));
    return live ? (JSON.parse(live) as LiveHostDeployment) : undefined;
  }
}
