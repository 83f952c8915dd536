import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { serviceList } from '../../../src/core/config-schema.js';
import { checkUrl, environmentSpec, healthUrl, routeId } from '../../../src/core/environment-spec.js';

const KEY = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
const [shop] = serviceList(
  parseConfig(`
services:
  shop:
    repo: acme/shop
    image: 127.0.0.1:5000/shop
    channel: "#shop"
    branches: [{ match: main, deploy: staging }, { match: "dev/*", deploy: ephemeral }]
    ephemeral: { ports: 9000-9099, env: { MODE: preview } }
    environments:
      - { name: staging, port: 8080, strategy: blue-green, slots: [8081, 8082], drainSeconds: 2 }
      - name: production
        port: 8080
        url: https://shop.example.com/
        healthPath: /ready
        strategy: blue-green
        slots: [9101, 9102]
        proxy: { admin: "http://127.0.0.1:2019" }
        target: { kind: docker, host: "ssh://deploy@web-2.example.com", hostKey: "${KEY}" }
`),
);
if (!shop) throw new Error('no service');

describe('environmentSpec', () => {
  it('resolves a named environment with its strategy and runtime', () => {
    expect(environmentSpec(shop, 'staging')).toMatchObject({
      service: 'shop',
      environment: 'staging',
      container: 'shop-staging',
      port: 8080,
      url: 'http://127.0.0.1:8080',
      strategy: 'blue-green',
      slots: [8081, 8082],
      drainSeconds: 2,
    });
  });

  it('gives an ephemeral environment its allocated port, on the local engine, recreated in place', () => {
    expect(environmentSpec(shop, 'shop-1a2b3c4d', 9003)).toMatchObject({ port: 9003, url: 'http://127.0.0.1:9003', strategy: 'recreate', runtime: { env: { MODE: 'preview' } } });
    expect(environmentSpec(shop, 'shop-1a2b3c4d')).toBeUndefined();
  });
});

describe('an ephemeral environment on a swarm', () => {
  it('is reached on the swarm’s host at its allocated port', () => {
    const [svc] = serviceList(
      parseConfig(`
services:
  shop:
    repo: acme/shop
    image: 127.0.0.1:5000/shop
    channel: "#shop"
    branches: [{ match: "dev/*", deploy: ephemeral }]
    ephemeral: { ports: 9000-9099, target: { kind: swarm, host: "ssh://deploy@swarm-1.example.com", hostKey: "${KEY}" } }
    environments: [{ name: staging, port: 8080 }]
`),
    );
    if (!svc) throw new Error('no service');
    expect(environmentSpec(svc, 'shop-1a2b3c4d', 9004)).toMatchObject({ url: 'http://swarm-1.example.com:9004', target: { kind: 'swarm' } });
  });
});

describe('where health checks go', () => {
  const staging = environmentSpec(shop, 'staging');
  const production = environmentSpec(shop, 'production');
  if (!staging || !production) throw new Error('no environments');

  it('on slipway’s own engine: loopback, the environment’s port or a slot’s', () => {
    expect(healthUrl(staging)).toBe('http://127.0.0.1:8080/healthz');
    expect(healthUrl(staging, 8082)).toBe('http://127.0.0.1:8082/healthz');
    expect(checkUrl(staging)).toBe('http://127.0.0.1:8080');
  });

  it('on another host: the environment’s url, never 127.0.0.1; a slot on that host’s address', () => {
    expect(healthUrl(production)).toBe('https://shop.example.com/ready');
    expect(healthUrl(production, 9102)).toBe('http://web-2.example.com:9102/ready');
    expect(checkUrl(production)).toBe('https://shop.example.com/');
  });

  it('names the proxy route per service and environment', () => {
    expect(routeId(production)).toBe('shop-production');
  });
});
