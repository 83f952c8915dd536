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
    expect(spec.HostConfig).toEqual({ NetworkMode: 'host', RestartPolicy: { Name: 'unless-stopped' } });
    expect(spec.ExposedPorts).toBeUndefined();
    expect(spec.Env).toEqual(['PORT=18080']);
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
