import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Env } from '../../src/core/env-schema.js';

const root = new URL('../../', import.meta.url);
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
// Compose files share settings through YAML merge keys (`<<: *slipway`).
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { merge: true });
const run = promisify(execFile);

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

type Service = {
  image: string;
  command?: string[];
  environment: Record<string, string>;
  env_file?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  restart?: string;
};
const services = compose.services as Record<string, Service>;
const SLIPWAY = ['server', 'worker'];
/** The V8 heap flags compose starts the worker with (README, "Packaging and running in production"). */
const WORKER_HEAP_FLAGS = ['--max-old-space-size=512', '--max-semi-space-size=4'];

/** The variables of the README's "Environment variables" table (first column, in backticks). */
function readmeVariables(): string[] {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const table = readme.slice(readme.indexOf('## Environment variables'), readme.indexOf('\n## ', readme.indexOf('## Environment variables') + 1));
  const names = table.split('\n').filter((line) => line.startsWith('| `')).flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
  return [...new Set(names)];
}

describe('docker-compose.yml', () => {
  it('runs Redis as slipway needs it, a registry, a slipway server and a worker, all on the host network', () => {
    expect(Object.keys(services).sort()).toEqual(['redis', 'registry', 'server', 'worker']);
    for (const service of Object.values(compose.services) as { network_mode: string }[]) expect(service.network_mode).toBe('host');
    const redisCommand = (services.redis!.command as string[]).join(' ');
    for (const option of ['--appendonly yes', '--maxmemory-policy noeviction', '--bind 127.0.0.1']) expect(redisCommand).toContain(option);
    expect(services.redis!.volumes).toContain('redis-data:/data');
    expect(compose.volumes).toHaveProperty('redis-data');
    expect(services.registry!.environment.REGISTRY_HTTP_ADDR).toBe('127.0.0.1:5000');
  });

  it('starts the server and the worker apart, from the one image slipway builds, each with its port', () => {
    expect(services.server!.command).toEqual(['node', 'dist/src/main.js', 'server']);
    expect(services.worker!.command).toEqual(['node', ...WORKER_HEAP_FLAGS, 'dist/src/main.js', 'worker']);
    expect(services.server!.image).toBe(services.worker!.image);
    const ports = SLIPWAY.map((name) => interpolate(services[name]!.environment.PORT!, {}));
    expect(new Set(ports).size).toBe(2);
  });

  it("runs the worker with heap flags node takes: a limit under V8's 1 GiB (so the old generation grows about 1.5×, not 4×, between collections) and a young generation that stays small", async () => {
    // Garbage made fast, some of it surviving a while, as a worker makes it: V8 grows the young generation to its limit.
    const churn = `const keep = []; for (let r = 0; r < 150; r++) { for (let i = 0; i < 20000; i++) { const o = { s: 'x'.repeat(40) + i, n: [i] }; if (i % 50 === 0) keep.push(o); } if (keep.length > 40000) keep.splice(0, 20000); }
      const v8 = require('node:v8'); console.log(JSON.stringify({ limit: v8.getHeapStatistics().heap_size_limit, young: v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size }))`;
    const { stdout } = await run(process.execPath, [...WORKER_HEAP_FLAGS, '-e', churn]);
    const { limit, young } = JSON.parse(stdout) as { limit: number; young: number };
    expect(limit).toBeLessThan(1024 * 2 ** 20);
    expect(limit).toBeGreaterThanOrEqual(512 * 2 ** 20);
    // Two semi-spaces of 4 MiB; the same churn with Node's defaults grows it to 32 MiB.
    expect(young).toBeLessThanOrEqual(2 * 4 * 2 ** 20);
  });

  it('pins every image to an exact version (no latest, no bare major), slipway to its package version', () => {
    const version = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }).version;
    for (const [name, service] of Object.entries(services)) {
      const [, tag] = /^[^:@]+(?::([^@]+))?/.exec(service.image)!;
      expect(tag, `${name}: ${service.image}`).toMatch(/^\d+\.\d+\.\d+(?:-[\w.-]+)?$/);
    }
    expect(services.server!.image).toBe(`slipway:${version}`);
  });

  it('gives every service a health check and a restart policy', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test[0], `${name}'s health check`).toMatch(/^CMD(-SHELL)?$/);
      expect(service.restart, `${name}'s restart policy`).toMatch(/^(always|unless-stopped|on-failure)/);
    }
    for (const name of SLIPWAY) expect(services[name]!.healthcheck!.test.join(' ')).toContain('/readyz');
  });

  it('gives Redis a password that is required and never in its argv, and the registry htpasswd auth', () => {
    const redis = compose.services.redis;
    expect(redis.environment.REDIS_PASSWORD).toMatch(/^\$\{REDIS_PASSWORD:\?/);
    const script = (redis.command as string[]).at(-1)!;
    // Through a 0600 file (compose's $$ is a literal $), not --requirepass where `ps` would show it.
    expect(script).toMatch(/umask 077 && printf 'requirepass %s\\n' "\$\$REDIS_PASSWORD" >(\S+) .*exec redis-server \1 /);
    expect(script).not.toContain('--requirepass');
    expect(redis.healthcheck.test.join(' ')).not.toMatch(/-a |--pass/);
    expect(redis.user).toBe('redis');
    expect(compose.services.registry.environment).toMatchObject({ REGISTRY_AUTH: 'htpasswd', REGISTRY_AUTH_HTPASSWD_PATH: '/auth/htpasswd' });
    expect(compose.services.registry.volumes).toContain('./registry.htpasswd:/auth/htpasswd:ro');
  });

  it('passes every variable of the README environment table to the server and the worker', () => {
    const documented = readmeVariables();
    expect(documented.length).toBeGreaterThan(20);
    for (const name of SLIPWAY) {
      const missing = documented.filter((variable) => !(variable in services[name]!.environment));
      expect(missing, `README variables docker-compose.yml does not pass to ${name} (add them as NAME: \${NAME:-})`).toEqual([]);
      // The secrets slipway.yml names have no fixed names: they come from an env file.
      expect(services[name]!.env_file).toEqual(['slipway.env']);
    }
  });

  it('gives slipway the Docker socket, registry credentials, a shared data dir and an environment its own schema accepts', () => {
    for (const name of SLIPWAY) {
      const slipway = services[name]!;
      expect(slipway.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');
      expect(slipway.volumes).toContain(`./docker-config:${slipway.environment.DOCKER_CONFIG}:ro`);
      expect(slipway.volumes).toContain('slipway-data:/app/.slipway');
      const dotEnv = { REDIS_PASSWORD: 'a'.repeat(64), SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', DD_SITE: 'datadoghq.eu', LOG_LEVEL: 'debug' };
      const env = Object.fromEntries(Object.entries(slipway.environment).map(([k, v]) => [k, interpolate(String(v), dotEnv)]).filter(([, v]) => v !== ''));
      const parsed = Env.safeParse(env);
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(parsed.data).toMatchObject({ REDIS_URL: `redis://:${dotEnv.REDIS_PASSWORD}@127.0.0.1:6379`, DD_SITE: 'datadoghq.eu', LOG_LEVEL: 'debug', SLACK_BOT_TOKEN: 'xoxb-1' });
    }
  });

  it('is accepted by docker-compose config (Debian\'s docker-compose)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-compose-'));
    try {
      await copyFile(new URL('docker-compose.yml', root), join(dir, 'docker-compose.yml'));
      await writeFile(join(dir, 'slipway.env'), '');
      await writeFile(join(dir, '.env'), `REDIS_PASSWORD=${'b'.repeat(64)}\nDD_SITE=datadoghq.eu\n`);
      const { stdout } = await run('docker-compose', ['--project-directory', dir, '-f', join(dir, 'docker-compose.yml'), 'config'], { cwd: dir });
      const resolved = parse(stdout) as { services: Record<string, Service> };
      expect(resolved.services.worker!.environment).toMatchObject({ DD_SITE: 'datadoghq.eu', PORT: '3001' });
      expect(resolved.services.server!.environment.REDIS_URL).toBe(`redis://:${'b'.repeat(64)}@127.0.0.1:6379`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
