import type { Deployment, DeploymentStore } from '../../src/core/ports.js';
import { lrange } from './redis-order.js';

const KEPT = 200;

export class MemoryDeploymentStore implements DeploymentStore {
  /** By `service:environment`, newest first. */
  private readonly deployments = new Map<string, Deployment[]>();

  async record(deployment: Deployment): Promise<void> {
    const key = `${deployment.service}:${deployment.environment}`;
    this.deployments.set(key, [structuredClone(deployment), ...(this.deployments.get(key) ?? [])].slice(0, KEPT));
  }

  async history(service: string, environment: string, limit = 10): Promise<Deployment[]> {
    return structuredClone(lrange(this.deployments.get(`${service}:${environment}`) ?? [], 0, limit - 1));
  }

  async current(service: string, environment: string): Promise<Deployment | undefined> {
    const settled = (await this.history(service, environment, KEPT)).find((d) => d.outcome !== 'failed');
    return settled?.outcome === 'succeeded' ? settled : undefined;
  }
}
