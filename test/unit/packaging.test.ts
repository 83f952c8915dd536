import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Env } from '../../src/core/env-schema.js';

const root = new URL('../../', import.meta.url);
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'));

// No base image can be pulled on this machine, so the image is not built here (see the README); these check
// what can be checked without building it.
describe('Dockerfile', () => {
  it('copies only what exists in the repository', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) expect(existsSync(new URL(source, root)), source).toBe(true);
  });

  it('runs as a non-root user, with a health check on /healthz that needs nothing but node', () => {
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n\s+CMD \["node", "-e", ".*\/healthz/m);
    expect(runtime).not.toMatch(/curl/);
    expect(runtime).toMatch(/^CMD \["node", "dist\/src\/main.js"\]$/m);
  });
});

describe('docker-compose.yml', () => {
  it('runs Redis as slipway needs it, a registry and slipway, all on the host network', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['redis', 'registry', 'slipway']);
    for (const service of Object.values(compose.services) as { network_mode: string }[]) expect(service.network_mode).toBe('host');
    expect(compose.services.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction', '--bind', '127.0.0.1']));
    expect(compose.services.registry.environment.REGISTRY_HTTP_ADDR).toBe('127.0.0.1:5000');
  });

  it('gives slipway the Docker socket and an environment its own schema accepts', () => {
    const slipway = compose.services.slipway;
    expect(slipway.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');
    const env = Object.fromEntries(Object.entries(slipway.environment as Record<string, string>).filter(([, v]) => !String(v).startsWith('${')));
    expect(Env.safeParse(env).success).toBe(true);
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });
});
