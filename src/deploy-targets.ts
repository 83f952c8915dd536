import { dockerTarget } from './adapters/docker/docker-target.js';
import type { RegistryAuth } from './adapters/docker/registry-auth.js';
import { caddyProxy } from './adapters/proxy/caddy-proxy.js';
import type { ServiceConfig } from './core/config-schema.js';
import type { EnvironmentSpec } from './core/environment-spec.js';
import type { DeployTarget } from './core/ports.js';
import { isRemoteTarget, type Target } from './core/target-schema.js';

export type TargetDeps = {
  localDockerHost?: string;
  credentials(registry: string): Promise<RegistryAuth>;
  /** The admin API of slipway's own Caddy, when one was started (see needsEmbeddedProxy). */
  embeddedProxyAdmin?: string;
};

type TargetKind = Target['kind'];

/** Every kind of deploy target: a new kind is its adapter and one line here. */
const KINDS: { [K in TargetKind]: (spec: EnvironmentSpec, deps: TargetDeps) => DeployTarget } = {
  docker: (spec, deps) =>
    dockerTarget(spec, {
      localDockerHost: deps.localDockerHost,
      credentials: deps.credentials,
      async proxy(env) {
        const admin = env.proxy?.admin ?? deps.embeddedProxyAdmin;
        if (!admin) throw new Error(`${env.service} ${env.environment} is blue-green but no proxy is running: set proxy.admin, or let slipway start its own Caddy (install Debian's caddy)`);
        return caddyProxy(admin);
      },
    }),
};

/** The deploy target of an environment, by its `target.kind` (none: slipway's own Docker engine). */
export function deployTargets(deps: TargetDeps): (spec: EnvironmentSpec) => DeployTarget {
  return (spec) => KINDS[spec.target?.kind ?? 'docker'](spec, deps);
}

/** Whether some environment swaps blue/green on slipway's own engine without naming a proxy: then slipway runs Caddy. */
export function needsEmbeddedProxy(services: readonly ServiceConfig[]): boolean {
  return services.some((service) => service.environments.some((env) => env.strategy === 'blue-green' && !env.proxy?.admin && !isRemoteTarget(env.target)));
}
