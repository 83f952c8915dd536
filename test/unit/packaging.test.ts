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

/** Compose's interpolation of `${NAME:?message}` and `${NAME:-default}` from `values` (its .env). */
const interpolate = (text: string, values: Record<string, string>) =>
  text.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_all, name: string, op?: string, rest?: string) => values[name] ?? (op === '-' ? rest ?? '' : ''));

describe('docker-compose.yml', () => {
  it('runs Redis as slipway needs it, a registry and slipway, all on the host network', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['redis', 'registry', 'slipway']);
    for (const service of Object.values(compose.services) as { network_mode: string }[]) expect(service.network_mode).toBe('host');
    const redisCommand = (compose.services.redis.command as string[]).join(' ');
    for (const option of ['--appendonly yes', '--maxmemory-policy noeviction', '--bind 127.0.0.1']) expect(redisCommand).toContain(option);
    expect(compose.services.registry.environment.REGISTRY_HTTP_ADDR).toBe('127.0.0.1:5000');
  });

  it('gives Redis a password that is required and never in its argv, and the registry htpasswd auth', () => {
    const redis = compose.services.redis;
    expect(redis.environment.REDIS_PASSWORD).toMatch(/^\$\{REDIS_PASSWORD:\?/);
    const script = (redis.command as string[]).at(-1)!;
    // Through a 0600 file (compose's $$ is a literal $), not --requirepass where `ps` would show it.
    expect(script).toMatch(/umask 077 && printf 'requirepass %s\\n' "\$\$REDIS_PASSWORD" >(\S+) .*exec redis-server \1 /);
    expect(script).not.toContain('--requirepass');
    expect(redis.user).toBe('redis');
    expect(compose.services.registry.environment).toMatchObject({ REGISTRY_AUTH: 'htpasswd', REGISTRY_AUTH_HTPASSWD_PATH: '/auth/htpasswd' });
    expect(compose.services.registry.volumes).toContain('./registry.htpasswd:/auth/htpasswd:ro');
  });

  it('gives slipway the Docker socket, registry credentials and an environment its own schema accepts', () => {
    const slipway = compose.services.slipway;
    expect(slipway.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');
    expect(slipway.volumes).toContain(`./docker-config:${slipway.environment.DOCKER_CONFIG}:ro`);
    const dotEnv = { REDIS_PASSWORD: 'a'.repeat(64) };
    const env = Object.fromEntries(Object.entries(slipway.environment as Record<string, string>).map(([k, v]) => [k, interpolate(String(v), dotEnv)]).filter(([, v]) => v !== ''));
    expect(Env.safeParse(env).success).toBe(true);
    expect(env.REDIS_URL).toBe(`redis://:${dotEnv.REDIS_PASSWORD}@127.0.0.1:6379`);
  });
});
