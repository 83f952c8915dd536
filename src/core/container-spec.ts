import type { NetworkMode } from './config-schema.js';

/** What slipway asks of a deployed container; the release's code is untrusted, whoever pushed it. */
export type ContainerRequest = {
  name: string;
  image: string;
  port: number;
  labels: Record<string, string>;
  /** Unset: `bridge`. */
  network?: NetworkMode;
};

/** The Engine API's container-create body (the fields slipway sets), as plain data. */
export type ContainerCreateSpec = {
  name: string;
  Image: string;
  Env: string[];
  Labels: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  HostConfig: {
    NetworkMode: NetworkMode;
    RestartPolicy: { Name: 'unless-stopped' };
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
  };
};

/**
 * The create body for a release's container. `bridge` (the default): a network namespace of its own on
 * Docker's default bridge, where the host's loopback — slipway's Redis, registry and proxy admin — is not
 * there; its port is published on the host's 127.0.0.1 only, so the health check on 127.0.0.1:port works and
 * nothing is exposed beyond loopback. The app must listen on 0.0.0.0:$PORT inside its namespace. `host`: the
 * host's network, as on engines without a bridge (the test engine); the app binds 127.0.0.1:$PORT itself.
 */
export function containerSpec({ name, image, port, labels, network = 'bridge' }: ContainerRequest): ContainerCreateSpec {
  const base = { name, Image: image, Env: [`PORT=${port}`], Labels: labels };
  const restart = { Name: 'unless-stopped' } as const;
  if (network === 'host') return { ...base, HostConfig: { NetworkMode: 'host', RestartPolicy: restart } };
  const published = `${port}/tcp`;
  return {
    ...base,
    ExposedPorts: { [published]: {} },
    HostConfig: {
      NetworkMode: 'bridge',
      RestartPolicy: restart,
      PortBindings: { [published]: [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
    },
  };
}

/** An environment's network: its own setting, else the service's, else `bridge`. */
export function networkOf(environment: { network?: NetworkMode } | undefined, service: { network?: NetworkMode }): NetworkMode {
  return environment?.network ?? service.network ?? 'bridge';
}
