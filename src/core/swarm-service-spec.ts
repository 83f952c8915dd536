import { createHash } from 'node:crypto';
import type { EnvironmentSpec } from './environment-spec.js';
import type { Runtime, SwarmTarget } from './target-schema.js';

/** Where a secret's file is in a task's container: Docker's own place for secrets. */
export const SECRETS_DIR = '/run/secrets';

/** A Docker secret made for one variable's value, as the service spec refers to it. */
export type SwarmSecretRef = { variable: string; id: string; name: string };

/** The Engine API's service spec (the fields slipway sets), as plain data. Durations are nanoseconds. */
export type SwarmServiceSpec = {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Labels: Record<string, string>;
      Env: string[];
      Command?: string[];
      Args?: string[];
      /** Docker's init as PID 1, so a task's app gets the swarm's SIGTERM (see container-spec.ts). */
      Init: true;
      Healthcheck?: { Test: string[]; Interval: number; Timeout: number; Retries: number; StartPeriod: number };
      Secrets: { SecretID: string; SecretName: string; File: { Name: string; UID: string; GID: string; Mode: number } }[];
      Mounts: { Type: 'volume' | 'bind'; Source: string; Target: string; ReadOnly: boolean }[];
    };
    Resources: { Limits: { MemoryBytes?: number; NanoCPUs?: number } };
    RestartPolicy: { Condition: 'none' | 'on-failure' | 'any' };
    Placement: { Constraints: string[] };
    Networks?: { Target: string }[];
  };
  Mode: { Replicated: { Replicas: number } };
  UpdateConfig: UpdateConfig;
  RollbackConfig: UpdateConfig;
  EndpointSpec?: { Ports: { Protocol: 'tcp'; TargetPort: number; PublishedPort: number; PublishMode: 'ingress' }[] };
};

type UpdateConfig = { Parallelism: number; Delay: number; FailureAction: 'rollback' | 'pause'; Monitor: number; MaxFailureRatio: number; Order: 'start-first' | 'stop-first' };

/** What a release's service is made of: the environment, its swarm settings, the image and its secrets. */
export type SwarmServiceRequest = {
  spec: Pick<EnvironmentSpec, 'container' | 'port' | 'network' | 'runtime'>;
  target: SwarmTarget;
  image: string;
  /** slipway's labels (service, environment, run, sha): on the service and on every task's container. */
  labels: Record<string, string>;
  secrets: readonly SwarmSecretRef[];
};

const ns = (seconds: number) => Math.round(seconds * 1e9);

/**
 * The spec of an environment's swarm service for one release. Secrets are files in `/run/secrets/<NAME>` with
 * `<NAME>_FILE` pointing there (the convention of images that read secrets from files): their values are
 * nowhere in the spec. slipway's labels go on the task containers too, so every deploy is a rolling update,
 * even of the same digest, and each task says which run put it there. A failed update always rolls back.
 */
export function swarmServiceSpec({ spec, target, image, labels, secrets }: SwarmServiceRequest): SwarmServiceSpec {
  const { runtime } = spec;
  const host = spec.network === 'host';
  // On the host's network the app takes the environment's port itself; behind the routing mesh, its own.
  const inside = host ? spec.port : (runtime.containerPort ?? spec.port);
  const env = { ...runtime.env, ...Object.fromEntries(secrets.map((s) => [`${s.variable}_FILE`, `${SECRETS_DIR}/${s.variable}`])), PORT: String(inside) };
  const update = target.update;
  const rolling = { Parallelism: update.parallelism, Delay: ns(update.delaySeconds), Monitor: ns(update.monitorSeconds), MaxFailureRatio: 0, Order: update.order };
  const health = target.healthCheck;
  return {
    Name: spec.container,
    // slipway's labels last: a release cannot pass itself off as another run.
    Labels: { ...runtime.labels, ...labels },
    TaskTemplate: {
      ContainerSpec: {
        Image: image,
        Labels: { ...runtime.labels, ...labels },
        Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
        Init: true,
        ...(runtime.command && { Command: [...runtime.command] }),
        ...(runtime.args && { Args: [...runtime.args] }),
        ...(health && {
          Healthcheck: { Test: ['CMD', ...health.command], Interval: ns(health.intervalSeconds), Timeout: ns(health.timeoutSeconds), Retries: health.retries, StartPeriod: ns(health.startPeriodSeconds) },
        }),
        Secrets: secrets.map((s) => ({ SecretID: s.id, SecretName: s.name, File: { Name: s.variable, UID: '0', GID: '0', Mode: 0o444 } })),
        Mounts: runtime.volumes.map(mountOf),
      },
      Resources: {
        Limits: {
          ...(runtime.memory !== undefined && { MemoryBytes: runtime.memory }),
          ...(runtime.cpus !== undefined && { NanoCPUs: Math.round(runtime.cpus * 1e9) }),
        },
      },
      RestartPolicy: { Condition: restartCondition(runtime.restart) },
      Placement: { Constraints: [...target.constraints] },
      ...(host && { Networks: [{ Target: 'host' }] }),
    },
    Mode: { Replicated: { Replicas: target.replicas } },
    UpdateConfig: { ...rolling, FailureAction: 'rollback' },
    // A rollback that fails too stops where it is: a person must look.
    RollbackConfig: { ...rolling, FailureAction: 'pause' },
    ...(!host && { EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: inside, PublishedPort: spec.port, PublishMode: 'ingress' }] } }),
  };
}

/** A swarm restarts tasks itself: `unless-stopped` and `always` both mean "whenever it exits". */
function restartCondition(restart: Runtime['restart']): 'none' | 'on-failure' | 'any' {
  if (restart === 'no') return 'none';
  return restart === 'on-failure' ? 'on-failure' : 'any';
}

/** `name:/path[:ro]` is a volume, `/host/path:/path[:ro]` a bind mount (on whichever node runs the task). */
function mountOf(volume: string) {
  const [source = '', target = '', mode] = volume.split(':');
  return { Type: source.startsWith('/') ? ('bind' as const) : ('volume' as const), Source: source, Target: target, ReadOnly: mode === 'ro' };
}

/**
 * The Docker secret that holds one value of one variable of a service: named for the value's version (a
 * hash salted with the service and variable), so an unchanged value is created once and a changed one gets a
 * new secret (a service's secret cannot be updated in place). Only the swarm's managers see the name, and
 * whoever can reach them can read the values from the tasks anyway; slipway's logs never show it.
 */
export function swarmSecretName(container: string, variable: string, value: string): string {
  const version = createHash('sha256').update(`slipway-secret\0${container}\0${variable}\0${value}`).digest('hex').slice(0, 12);
  const name = `${container}_${variable}_${version}`;
  // Docker takes names of at most 64 characters: a long service or variable name is shortened by a hash.
  if (name.length <= 64) return name;
  const owner = createHash('sha256').update(`${container}\0${variable}`).digest('hex').slice(0, 12);
  return `${container.slice(0, 64 - 27).replace(/[-_.]+$/, '')}_${owner}_${version}`;
}
