import type { Redis } from 'ioredis';
import type { Deployment, DeploymentStore } from '../../core/ports.js';
import { keys } from './redis-keys.js';
import { commit } from './commit.js';

const KEPT = 200;

export class RedisDeploymentStore implements DeploymentStore {
  constructor(private readonly redis: Redis) {}

  async record(deployment: Deployment): Promise<void> {
    const key = keys.deployments(deployment.service, deployment.environment);
    await commit(this.redis.multi().lpush(key, JSON.stringify(deployment)).ltrim(key, 0, KEPT - 1));
  }

  async history(service: string, environment: string, limit = 10): Promise<Deployment[]> {
    const texts = await this.redis.lrange(keys.deployments(service, environment), 0, limit - 1);
    return texts.map((t) => JSON.parse(t) as Deployment);
  }

  async current(service: string, environment: string): Promise<Deployment | undefined> {
    const settled = (await this.history(service, environment, KEPT)).find((d) => d.outcome !== 'failed');
    return settled?.outcome === 'succeeded' ? settled : undefined;
  }
}
