import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { containerSpec, networkOf } from '../../../src/core/container-spec.js';

const request = { name: 'shop-staging', image: '127.0.0.1:5000/shop@sha256:abc', port: 18080, labels: { 'slipway.service': 'shop' } };

describe('containerSpec', () => {
  it('by default gives the container its own network namespace, its port published on 127.0.0.1 only', () => {
    const spec = containerSpec(request);
    expect(spec.HostConfig.NetworkMode).toBe('bridge');
    expect(spec.HostConfig.NetworkMode).not.toBe('host');
    expect(spec.HostConfig.PortBindings).toEqual({ '18080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }] });
    expect(spec.ExposedPorts).toEqual({ '18080/tcp': {} });
    expect(spec).toMatchObject({ name: 'shop-staging', Image: request.image, Env: ['PORT=18080'], Labels: request.labels });
    expect(spec.HostConfig.RestartPolicy).toEqual({ Name: 'unless-stopped' });
  });

  it('never publishes beyond loopback', () => {
    for (const bindings of Object.values(containerSpec({ ...request, network: 'bridge' }).HostConfig.PortBindings ?? {})) {
      for (const binding of bindings) expect(binding.HostIp).toBe('127.0.0.1');
    }
  });

  it('shares the host network only when asked, and then publishes nothing (Docker ignores bindings there)', () => {
    const spec = containerSpec({ ...request, network: 'host' });
    expect(spec.HostConfig).toEqual({ NetworkMode: 'host', RestartPolicy: { Name: 'unless-stopped' }, Init: true });
    expect(spec.ExposedPorts).toBeUndefined();
    expect(spec.Env).toEqual(['PORT=18080']);
  });
});

it('runs Docker’s init as PID 1 on either network, so SIGTERM reaches an app started by a shell', () => {
  expect(containerSpec({ ...request, network: 'host' }).HostConfig.Init).toBe(true);
  expect(containerSpec({ ...request, network: 'bridge' }).HostConfig.Init).toBe(true);
});

describe('containerSpec with an environment’s runtime settings', () => {
  const runtime = {
    env: { LOG_LEVEL: 'info' },
    command: ['/app/server'],
    args: ['--verbose'],
    memory: 512 * 1024 * 1024,
    cpus: 0.5,
    restart: 'on-failure' as const,
    labels: { 'com.example.team': 'payments', 'slipway.service': 'forged' },
    volumes: ['shop-data:/data'],
  };

  it('passes variables, secrets and PORT in the environment, and nothing secret anywhere else', () => {
    const spec = containerSpec({ ...request, runtime, secrets: { DATABASE_URL: 'postgres://u:hunter2@db/shop' } });
    expect(spec.Env).toEqual(['LOG_LEVEL=info', 'DATABASE_URL=postgres://u:hunter2@db/shop', 'PORT=18080']);
    const { Env: _env, ...rest } = spec;
    expect(JSON.stringify(rest)).not.toContain('hunter2');
  });

  it('sets command, args, limits, restart policy and volumes as Docker’s create body names them', () => {
    const spec = containerSpec({ ...request, runtime });
    expect(spec).toMatchObject({ Entrypoint: ['/app/server'], Cmd: ['--verbose'] });
    expect(spec.HostConfig).toMatchObject({ Memory: 536870912, NanoCpus: 500_000_000, RestartPolicy: { Name: 'on-failure' }, Binds: ['shop-data:/data'] });
  });

  it('keeps slipway’s labels over the environment’s', () => {
    expect(containerSpec({ ...request, runtime }).Labels).toEqual({ 'com.example.team': 'payments', 'slipway.service': 'shop' });
  });

  it('publishes the host port to the container port on a bridge, where the app gets that port as PORT', () => {
    const spec = containerSpec({ ...request, runtime: { containerPort: 3000 } });
    expect(spec.ExposedPorts).toEqual({ '3000/tcp': {} });
    expect(spec.HostConfig.PortBindings).toEqual({ '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }] });
    expect(spec.Env).toEqual(['PORT=3000']);
  });

  it('ignores containerPort on the host network, where the app must take the host port', () => {
    expect(containerSpec({ ...request, network: 'host', runtime: { containerPort: 3000 } }).Env).toEqual(['PORT=18080']);
  });
});

describe('networkOf', () => {
  it.each([
    ['nothing said', undefined, {}, 'bridge'],
    ['the service says host', {}, { network: 'host' as const }, 'host'],
    ['the environment says host', { network: 'host' as const }, {}, 'host'],
    ['the environment overrides the service', { network: 'bridge' as const }, { network: 'host' as const }, 'bridge'],
  ])('%s → %s', (_what, environment, service, expected) => {
    expect(networkOf(environment, service)).toBe(expected);
  });
});

describe('network in slipway.yml', () => {
  const config = (extra: string) => `
services:
  shop:
    repo: acme/shop
    image: 127.0.0.1:5000/shop
    channel: "#shop"
${extra}
    branches: [{ match: main, deploy: staging }, { match: "dev/*", deploy: ephemeral }]
    environments:
      - { name: staging, port: 8080 }
      - { name: production, port: 8081, network: host }
    ephemeral: { ports: 9000-9009, network: bridge }
`;

  it('reads network on the service, an environment and ephemeral; unset stays unset (bridge when deployed)', () => {
    const unset = parseConfig(config('')).services.shop!;
    expect(unset.network).toBeUndefined();
    expect(networkOf(unset.environments[0], unset)).toBe('bridge');
    expect(networkOf(unset.environments[1], unset)).toBe('host');
    expect(networkOf(unset.ephemeral, unset)).toBe('bridge');

    const host = parseConfig(config('    network: host')).services.shop!;
    expect(networkOf(host.environments[0], host)).toBe('host');
    expect(networkOf(host.ephemeral, host)).toBe('bridge');
  });

  it('refuses another value, naming the key', () => {
    expect(() => parseConfig(config('    network: none'))).toThrow(/services\.shop\.network: expected host or bridge/);
  });
});
