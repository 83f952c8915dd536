import type { RegistryAuth } from '../adapters/docker/registry-auth.js';
import type { RetiringContainers } from '../adapters/docker/retiring-containers.js';
import type { ServiceConfig } from '../core/config-schema.js';
import type { EnvironmentSpec } from '../core/environment-spec.js';
import type { DeployTarget, HealthChecks } from '../core/ports.js';
import { engineOf, isRemoteTarget, type Target } from '../core/target-schema.js';

export type TargetDeps = {
  localDockerHost?: string;
  credentials(registry: string): Promise<RegistryAuth>;
  /** The admin API of slipway's own Caddy, when one was started (see needsEmbeddedProxy). */
  embeddedProxyAdmin?: string;
  health: HealthChecks;
  retiring: RetiringContainers;
};

type TargetKind = Target['kind'];

type MakeTarget = (spec: EnvironmentSpec) => DeployTarget;

/**
 * Every kind of deploy target: a new kind is its adapter and one line here. Each is loaded when an environment
 * first uses it (the Kubernetes client alone takes seconds to load), not when slipway starts.
 */
const KINDS: { [K in TargetKind]: (deps: TargetDeps) => Promise<MakeTarget> } = {
  async docker(deps) {
    const [{ dockerTarget }, { caddyProxy }] = await Promise.all([import('../adapters/docker/docker-target.js'), import('../adapters/proxy/caddy-proxy.js')]);
    return (spec) =>
      dockerTarget(spec, {
        localDockerHost: deps.localDockerHost,
        credentials: deps.credentials,
        health: deps.health,
        retiring: deps.retiring,
        async proxy(env) {
          const admin = env.proxy?.admin ?? deps.embeddedProxyAdmin;
          if (!admin) throw new Error(`${env.service} ${env.environment} is blue-green but no proxy is running: set proxy.admin, or let slipway start its own Caddy (install Debian's caddy)`);
          return caddyProxy(admin);
        },
      });
  },
  async swarm(deps) {
    const { swarmTarget } = await import('../adapters/docker/swarm/swarm-target.js');
    return (spec) => swarmTarget(spec, { localDockerHost: deps.localDockerHost, credentials: deps.credentials, health: deps.health });
  },
  async kubernetes(deps) {
    const { kubernetesTarget } = await import('../adapters/kubernetes/kubernetes-target.js');
    return (spec) => kubernetesTarget(spec, { health: deps.health });
  },
};

/** The deploy target of an environment, by its `target.kind` (none: slipway's own Docker engine). */
export function deployTargets(deps: TargetDeps): MakeTarget {
  return (spec) => {
    let made: Promise<DeployTarget> | undefined;
    const target = () => (made ??= KINDS[spec.target?.kind ?? 'docker'](deps).then((make) => make(spec)));
    return {
      where: targetWhere(spec.target),
      place: async (release, log) => (await target()).place(release, log),
      settle: async (outcome, log) => (await target()).settle(outcome, log),
      remove: async () => (await target()).remove(),
      status: async () => (await target()).status(),
      alreadyLive: async (image, print) => (await target()).alreadyLive(image, print),
    };
  };
}

/** How messages name where an environment runs: `docker on ssh://deploy@web-1`, `kubernetes shop/web`. */
function targetWhere(target: Target | undefined): string {
  if (!target) return 'docker on the local engine';
  const engine = engineOf(target);
  if (engine) return `${target.kind} on ${engine.host ?? 'the local engine'}`;
  return target.kind === 'kubernetes' ? `kubernetes ${target.namespace}/${target.deployment}` : target.kind;
}

/** Whether some environment swaps blue/green on slipway's own engine without naming a proxy: then slipway runs Caddy. */
export function needsEmbeddedProxy(services: readonly ServiceConfig[]): boolean {
  return services.some((service) => service.environments.some((env) => env.strategy === 'blue-green' && !env.proxy?.admin && !isRemoteTarget(env.target)));
}
