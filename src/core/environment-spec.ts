import type { NetworkMode, ServiceConfig } from './config-schema.js';
import { networkOf } from './container-spec.js';
import { containerName } from './naming.js';
import { engineOf, isRemoteTarget, type Proxy, type Runtime, type Strategy, type Target } from './target-schema.js';

/** Everything a deploy target needs to know about one environment, resolved from slipway.yml. */
export type EnvironmentSpec = {
  service: string;
  environment: string;
  /** The container's name on its host (blue/green adds the slot). */
  container: string;
  /** Where the environment answers on its host: the container's port, or the proxy's with blue-green. */
  port: number;
  /** Where people, health checks of a remote host and synthetics reach it. */
  url: string;
  healthPath: string;
  healthTimeoutSeconds: number;
  network: NetworkMode;
  runtime: Runtime;
  /** Unset: slipway's own engine. */
  target?: Target;
  strategy: Strategy;
  slots?: readonly [number, number];
  drainSeconds: number;
  proxy?: Proxy;
};

/**
 * A named environment's spec, or an ephemeral one's on the port allocated to it (recreated in place, or a swarm
 * service per branch). Undefined when the service has no such environment.
 */
export function environmentSpec(service: ServiceConfig, environment: string, ephemeralPort?: number): EnvironmentSpec | undefined {
  const base = { service: service.name, environment, container: containerName(service.name, environment) };
  const named = service.environments.find((e) => e.name === environment);
  if (named) {
    const { env, secrets, containerPort, command, args, memory, cpus, restart, labels, volumes } = named;
    return {
      ...base,
      port: named.port,
      url: named.url ?? `http://127.0.0.1:${named.port}`,
      healthPath: named.healthPath,
      healthTimeoutSeconds: named.healthTimeoutSeconds,
      network: networkOf(named, service),
      runtime: { env, secrets, containerPort, command, args, memory, cpus, restart, labels, volumes },
      target: named.target,
      strategy: named.strategy,
      slots: named.slots,
      drainSeconds: named.drainSeconds,
      proxy: named.proxy,
    };
  }
  const ephemeral = service.ephemeral;
  if (!ephemeral || ephemeralPort === undefined) return undefined;
  const { env, secrets, containerPort, command, args, memory, cpus, restart, labels, volumes } = ephemeral;
  // On another host (a swarm's routing mesh publishes the port on every node), the branch is reached there.
  const host = isRemoteTarget(ephemeral.target) ? new URL(engineOf(ephemeral.target)?.host ?? '').hostname : '127.0.0.1';
  return {
    ...base,
    port: ephemeralPort,
    url: `http://${host}:${ephemeralPort}`,
    healthPath: ephemeral.healthPath,
    healthTimeoutSeconds: ephemeral.healthTimeoutSeconds,
    network: networkOf(ephemeral, service),
    runtime: { env, secrets, containerPort, command, args, memory, cpus, restart, labels, volumes },
    target: ephemeral.target,
    strategy: 'recreate',
    drainSeconds: 0,
  };
}

/**
 * Where a health check of the environment goes: on slipway's own engine straight to the port on loopback (no
 * DNS or TLS in the way); on another host to the environment's url, the only address slipway may assume.
 */
export function healthUrl(spec: EnvironmentSpec, port = spec.port): string {
  if (!isRemoteTarget(spec.target)) return `http://127.0.0.1:${port}${spec.healthPath}`;
  if (port === spec.port) return joinPath(spec.url, spec.healthPath);
  // A blue/green slot is checked directly, before the proxy sends it traffic: on its host's address.
  const host = new URL(engineOf(spec.target)?.host ?? '').hostname;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}${spec.healthPath}`;
}

/** Where slipway's own checks (HTTP, browser) reach the environment: like health checks, loopback on its own engine. */
export function checkUrl(spec: EnvironmentSpec): string {
  return isRemoteTarget(spec.target) ? spec.url : `http://127.0.0.1:${spec.port}`;
}

function joinPath(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** The proxy route of an environment: one per service and environment (the proxy adapter tags it as slipway's). */
export function routeId(spec: Pick<EnvironmentSpec, 'service' | 'environment'>): string {
  return `${spec.service}-${spec.environment}`;
}
