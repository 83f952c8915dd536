import bytes from 'bytes';
import { z } from 'zod';

/** How a release's containers are networked: on the host's network, or on Docker's bridge with the port published. */
export const NetworkMode = z.enum(['host', 'bridge'], { error: 'expected host or bridge' });
export type NetworkMode = z.infer<typeof NetworkMode>;

/** The `slipway.yml` keys of where an environment runs and what its container gets (see config-schema.ts). */

const port = z.number().int().min(1, 'expected a port from 1 to 65535').max(65535, 'expected a port from 1 to 65535');
export const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name like DATABASE_URL');
const filePath = z.string().min(1, 'expected a file path');

/** `ssh://user@host[:port]`, `tcp://host:port` (with `tls`) or `unix:///path`: what `docker -H` takes. */
const engineHost = z
  .string()
  .refine((text) => {
    try {
      const url = new URL(text);
      if (url.protocol === 'unix:') return url.pathname.length > 1;
      // A password in the URL would sit in slipway.yml: ssh authenticates with a key only.
      if (url.protocol === 'ssh:') return !!url.hostname && !!url.username && !url.password && (url.pathname === '' || url.pathname === '/');
      if (url.protocol === 'tcp:') return !!url.hostname && !!url.port && (url.pathname === '' || url.pathname === '/');
      return false;
    } catch {
      return false;
    }
  }, 'expected ssh://user@host[:port] (no password: a key), tcp://host:port or unix:///path/to/docker.sock');

/** The SHA256 fingerprint `ssh-keyscan host | ssh-keygen -lf -` prints: base64 of 32 bytes, no padding. */
const hostKey = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'expected a host key fingerprint like SHA256:… (ssh-keyscan -p PORT HOST | ssh-keygen -lf -)');

/** How slipway reaches a Docker engine (a plain host's, or a swarm manager's). */
const engineKeys = {
  /** Unset: slipway's own engine (`DOCKER_HOST`, else the local socket). */
  host: engineHost.optional(),
  /** ssh: the private key; unset, the ssh agent at `SSH_AUTH_SOCK`. */
  identityFile: filePath.optional(),
  /** ssh: the server's host key, pinned; a host that shows another key is refused. */
  hostKey: hostKey.optional(),
  /** tcp: mutual TLS as `docker --tlsverify` does it, PEM files. */
  tls: z.strictObject({ ca: filePath, cert: filePath, key: filePath }).optional(),
  /** How long one call to the engine may go without an answer before the deploy fails. */
  timeoutSeconds: z.number().positive().default(30),
};

type EngineKeys = { host?: string; identityFile?: string; hostKey?: string; tls?: unknown };

function checkEngineKeys(target: EngineKeys, ctx: z.RefinementCtx): void {
  const protocol = target.host ? new URL(target.host).protocol : 'unix:';
  if (protocol === 'ssh:' && !target.hostKey) {
    ctx.addIssue({ code: 'custom', path: ['hostKey'], message: `an ssh host needs its host key pinned: run ssh-keyscan -t ed25519 -p PORT HOST | ssh-keygen -lf - and copy the SHA256:…` });
  }
  if (protocol === 'tcp:' && !target.tls) {
    ctx.addIssue({ code: 'custom', path: ['tls'], message: 'a tcp:// engine needs tls: { ca, cert, key }: an engine API without TLS gives root on that host to anyone who reaches it' });
  }
  if (protocol !== 'ssh:' && (target.identityFile || target.hostKey)) {
    ctx.addIssue({ code: 'custom', path: [target.identityFile ? 'identityFile' : 'hostKey'], message: 'only an ssh:// host takes identityFile and hostKey' });
  }
  if (protocol !== 'tcp:' && target.tls) {
    ctx.addIssue({ code: 'custom', path: ['tls'], message: 'only a tcp:// host takes tls' });
  }
}

export const DockerTarget = z.strictObject({ kind: z.literal('docker'), ...engineKeys }).superRefine(checkEngineKeys);
export type DockerTarget = z.infer<typeof DockerTarget>;

const seconds = z.number().positive();

/** A Docker Swarm service, updated by the swarm (rolling, with its own rollback); `host` is a manager's engine. */
export const SwarmTarget = z
  .strictObject({
    kind: z.literal('swarm'),
    ...engineKeys,
    replicas: z.number().int().min(0).default(1),
    /** Placement constraints as `docker service create --constraint` takes them (`node.role==worker`). */
    constraints: z.array(z.string().min(1)).default([]),
    update: z
      .strictObject({
        parallelism: z.number().int().min(0).default(1),
        delaySeconds: z.number().min(0).default(0),
        order: z.enum(['start-first', 'stop-first'], { error: 'expected start-first or stop-first' }).default('start-first'),
        monitorSeconds: seconds.default(5),
      })
      .default({ parallelism: 1, delaySeconds: 0, order: 'start-first', monitorSeconds: 5 }),
    /** The task health check (Docker's HEALTHCHECK): a command run inside the task's container. */
    healthCheck: z
      .strictObject({
        command: z.array(z.string()).min(1, 'expected the program and its arguments, e.g. [wget, -qO-, "http://127.0.0.1:8080/healthz"]'),
        intervalSeconds: seconds.default(5),
        timeoutSeconds: seconds.default(3),
        retries: z.number().int().min(1).default(3),
        startPeriodSeconds: z.number().min(0).default(0),
      })
      .optional(),
    /** How long a deploy may take before slipway asks the swarm to roll back. */
    deployTimeoutSeconds: seconds.default(300),
  })
  .superRefine(checkEngineKeys);
export type SwarmTarget = z.infer<typeof SwarmTarget>;

const k8sName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a Kubernetes name: lower-case letters, digits and dashes').max(253);

/** A container of a Kubernetes Deployment: its image is set to the release's digest, and the rollout followed. */
export const KubernetesTarget = z.strictObject({
  kind: z.literal('kubernetes'),
  /** A kubeconfig file; unset, the default locations (KUBECONFIG, ~/.kube/config), or the pod's service account. */
  kubeconfig: filePath.optional(),
  /** A context of the kubeconfig; unset, its current context. */
  context: z.string().min(1).optional(),
  namespace: k8sName.default('default'),
  deployment: k8sName,
  container: k8sName,
  /** How long a rollout may take before slipway undoes it; the Deployment's progressDeadlineSeconds also counts. */
  deployTimeoutSeconds: seconds.default(600),
});
export type KubernetesTarget = z.infer<typeof KubernetesTarget>;

/** Where an environment runs; a new kind is one more schema here and one line in src/compose/targets.ts. */
export const Target = z.discriminatedUnion('kind', [DockerTarget, SwarmTarget, KubernetesTarget], { error: 'expected a target kind: docker, swarm or kubernetes' });
export type Target = z.infer<typeof Target>;

/** The keys of a target that reach a Docker engine. */
export type EngineTarget = Pick<DockerTarget, 'host' | 'identityFile' | 'hostKey' | 'tls' | 'timeoutSeconds'>;

/** The Docker engine a target names (a plain host's or a swarm manager's); undefined for other kinds. */
export function engineOf(target: Target | undefined): EngineTarget | undefined {
  return target && 'timeoutSeconds' in target ? target : undefined;
}

/** Whether the target is on another machine: then health checks and synthetics need `url`. */
export function isRemoteTarget(target: Target | undefined): boolean {
  if (!target) return false;
  const engine = engineOf(target);
  // Not a Docker engine: an orchestrator's API, never slipway's own machine.
  if (!engine) return true;
  return !!engine.host && !engine.host.startsWith('unix:');
}

/** Where a secret's value comes from: one of slipway's environment variables, or a file slipway can read. */
export const SecretSource = z.union([z.strictObject({ env: envVarName }), z.strictObject({ file: filePath })], {
  error: 'expected { env: VARIABLE } or { file: /path/to/file }',
});
export type SecretSource = z.infer<typeof SecretSource>;

const memory = z
  .string({ error: 'expected a size like 512MB or 1GB (at least 6MB, as Docker requires)' })
  .refine((text) => /^\d+(\.\d+)?\s*(b|kb|mb|gb|tb)$/i.test(text) && (bytes.parse(text) ?? 0) >= 6 * 1024 * 1024, 'expected a size like 512MB or 1GB (at least 6MB, as Docker requires)')
  .transform((text) => bytes.parse(text) ?? 0);

/** `volume:/path[:ro]` or `/host/path:/path[:ro]`, as `docker run -v` takes it. */
const volume = z.string().regex(/^[^:\s]+:\/[^:\s]*(:(ro|rw))?$/, 'expected name:/container/path or /host/path:/container/path, optionally :ro');

const labelKey = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'expected a label key like com.example.team').refine((key) => !key.startsWith('slipway.'), 'labels starting with slipway. are slipway\'s own');

/** A variable of the app's; `PORT` is slipway's, set to the port the app must listen on. */
const appVarName = envVarName.refine((name) => name !== 'PORT', 'PORT is set by slipway (the port the app must listen on); use containerPort to choose it');

/** What a release's container gets, besides its image: per environment (ephemeral ones included). */
export const runtimeKeys = {
  /** Plain variables. */
  env: z.record(appVarName, z.string()).default({}),
  /** Variable → where its value comes from; the value goes into the container and nowhere else. */
  secrets: z.record(appVarName, SecretSource).default({}),
  /** The port the app listens on inside its container (bridge network); unset, the environment's port. */
  containerPort: port.optional(),
  /** Replaces the image's ENTRYPOINT. */
  command: z.array(z.string()).min(1, 'expected the program and its arguments').optional(),
  /** Replaces the image's CMD. */
  args: z.array(z.string()).optional(),
  memory: memory.optional(),
  cpus: z.number().positive().max(1024).optional(),
  restart: z.enum(['no', 'always', 'unless-stopped', 'on-failure'], { error: 'expected no, always, unless-stopped or on-failure' }).default('unless-stopped'),
  labels: z.record(labelKey, z.string()).default({}),
  volumes: z.array(volume).default([]),
};

export const Runtime = z.strictObject(runtimeKeys);

/** A variable both plain and secret would leave which value wins to chance: it is an error. */
export function sameVariableTwice(runtime: Pick<Runtime, 'env' | 'secrets'>): string[] {
  return Object.keys(runtime.secrets).filter((name) => Object.hasOwn(runtime.env, name));
}
export type Runtime = z.infer<typeof Runtime>;

/** A reverse proxy slipway drives for blue/green: Caddy's admin API. */
export const Proxy = z.strictObject({
  /** Caddy's admin API; unset, slipway starts its own Caddy (admin API on loopback). */
  admin: z.url({ protocol: /^https?$/, error: 'expected the admin API URL like http://127.0.0.1:2019' }).optional(),
  /** Where the proxy listens for the environment (its `port` on this address). */
  listen: z.string().min(1).default('127.0.0.1'),
  /** How the proxy reaches the slots' ports: the Docker host as the proxy sees it. */
  upstreamHost: z.string().min(1).default('127.0.0.1'),
});
export type Proxy = z.infer<typeof Proxy>;

export const Strategy = z.enum(['recreate', 'blue-green'], { error: 'expected recreate or blue-green' });
export type Strategy = z.infer<typeof Strategy>;

/** Where a named environment runs and how a release replaces the last. */
export const placementKeys = {
  target: Target.optional(),
  /** `recreate` stops the old container before the new one starts; `blue-green` swaps behind a proxy. */
  strategy: Strategy.default('recreate'),
  /** blue-green: the two ports the releases take turns on; the proxy listens on `port`. */
  slots: z.tuple([port, port]).optional(),
  /** blue-green: how long the old release keeps its in-flight requests after traffic moved. */
  drainSeconds: z.number().min(0).max(3600).default(5),
  proxy: Proxy.optional(),
};
