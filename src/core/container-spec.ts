import type { NetworkMode, Runtime } from './target-schema.js';

/** What slipway asks of a deployed container; the release's code is untrusted, whoever pushed it. */
export type ContainerRequest = {
  name: string;
  image: string;
  /** The host port it answers on (a blue/green slot's, with blue-green). */
  port: number;
  labels: Record<string, string>;
  /** Unset: `bridge`. */
  network?: NetworkMode;
  /** The environment's settings from slipway.yml; unset, none. */
  runtime?: Partial<Runtime>;
  /** Resolved secret values: they go into the container's environment and nowhere else. */
  secrets?: Record<string, string>;
};

/** The Engine API's container-create body (the fields slipway sets), as plain data. */
export type ContainerCreateSpec = {
  name: string;
  Image: string;
  Env: string[];
  Labels: Record<string, string>;
  Entrypoint?: string[];
  Cmd?: string[];
  ExposedPorts?: Record<string, Record<string, never>>;
  HostConfig: {
    NetworkMode: NetworkMode;
    RestartPolicy: { Name: Runtime['restart'] };
    Init: true;
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
    Memory?: number;
    NanoCpus?: number;
    Binds?: string[];
  };
};

/**
 * The create body for a release's container. `bridge` (the default): a network namespace of its own on
 * Docker's default bridge, where the host's loopback — slipway's Redis, registry and proxy admin — is not
 * there; its port is published on the host's 127.0.0.1 only, so the health check on 127.0.0.1:port works and
 * nothing is exposed beyond loopback. The app must listen on 0.0.0.0:$PORT inside its namespace. `host`: the
 * host's network, as on engines without a bridge (the test engine); the app binds 127.0.0.1:$PORT itself.
 */
export function containerSpec({ name, image, port, labels, network = 'bridge', runtime = {}, secrets = {} }: ContainerRequest): ContainerCreateSpec {
  // Inside its own namespace the app may listen on a port of its choosing; on the host's network it must take the host port.
  const inside = network === 'bridge' ? (runtime.containerPort ?? port) : port;
  const env = { ...runtime.env, ...secrets, PORT: String(inside) };
  const resources = {
    ...(runtime.memory !== undefined && { Memory: runtime.memory }),
    ...(runtime.cpus !== undefined && { NanoCpus: Math.round(runtime.cpus * 1e9) }),
    ...(runtime.volumes?.length && { Binds: [...runtime.volumes] }),
  };
  const base = {
    name,
    Image: image,
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    // slipway's labels last: a release cannot pass itself off as another run.
    Labels: { ...runtime.labels, ...labels },
    ...(runtime.command && { Entrypoint: [...runtime.command] }),
    ...(runtime.args && { Cmd: [...runtime.args] }),
  };
  const restart = { Name: runtime.restart ?? 'unless-stopped' } as const;
  // Docker's init as PID 1 passes SIGTERM on to the app: an image whose app runs under `sh -c` (many do) stops at
  // once when replaced, instead of after the full stop timeout with nothing serving.
  const init = { Init: true } as const;
  if (network === 'host') return { ...base, HostConfig: { NetworkMode: 'host', RestartPolicy: restart, ...init, ...resources } };
  const published = `${inside}/tcp`;
  return {
    ...base,
    ExposedPorts: { [published]: {} },
    HostConfig: {
      NetworkMode: 'bridge',
      RestartPolicy: restart,
      ...init,
      PortBindings: { [published]: [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
      ...resources,
    },
  };
}

/** An environment's network: its own setting, else the service's, else `bridge`. */
export function networkOf(environment: { network?: NetworkMode } | undefined, service: { network?: NetworkMode }): NetworkMode {
  return environment?.network ?? service.network ?? 'bridge';
}
