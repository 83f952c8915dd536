import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildImage } from '../../src/adapters/docker/build-image.js';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { pushImage } from '../../src/adapters/docker/push-image.js';
import { registryAuth } from '../../src/adapters/docker/registry-auth.js';
import { replaceContainer } from '../../src/adapters/docker/run-container.js';
import { httpHealthChecks } from '../../src/adapters/http/health-checks.js';
import { removeContainersOf } from '../helpers/containers.js';
import { rawRedis } from '../helpers/raw-redis.js';
import { startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';

// Issue 14 point 3 (a, b): code deployed from any branch must not reach slipway's own state. The test engine
// has no bridge network, so the attacker runs with host networking — the worst case, next to slipway's Redis
// and a registry on loopback — and must still be refused by both.
const REGISTRY_PORT = 21250;
const APP_PORT = 21210;
const SERVICE = 'sec-infra-attacker';
const IMAGE = `127.0.0.1:${REGISTRY_PORT}/sec-infra-attacker`;
const PROBE_KEY = 'slipway:sec-infra:approval-digest';
const PROBE_VALUE = 'sha256:the-digest-an-approver-saw';

const docker = dockerClient(process.env.DOCKER_HOST);
let slipway: TestSlipway;
let state: string;
let context: string;
let servicesEnv: NodeJS.ProcessEnv;

/** A release whose code attacks on start-up, then serves what it got back on $PORT (its health check too). */
function attackScript(redisPort: number): string {
  return `#!/bin/sh
mkdir -p /www
{
  echo "== redis"
  printf 'KEYS slipway:*\\r\\nGET ${PROBE_KEY}\\r\\nSET ${PROBE_KEY} forged\\r\\n' | timeout 10 nc 127.0.0.1 ${redisPort}
  echo "== registry"
  printf 'POST /v2/sec-infra-evil/blobs/uploads/ HTTP/1.0\\r\\nHost: 127.0.0.1:${REGISTRY_PORT}\\r\\nContent-Length: 0\\r\\n\\r\\n' | timeout 10 nc 127.0.0.1 ${REGISTRY_PORT}
  echo "== done"
} >/www/report 2>&1
echo ok >/www/healthz
exec httpd -f -p 127.0.0.1:$PORT -h /www
`;
}

beforeAll(async () => {
  // The registry as slipway's own script starts it (with auth), on a port of this file's range.
  state = await mkdtemp(join(tmpdir(), 'slipway-sec-infra-'));
  servicesEnv = { ...process.env, SLIPWAY_SERVICES_DIR: state, SLIPWAY_REGISTRY_PORT: String(REGISTRY_PORT) };
  const output = execFileSync('bash', ['scripts/services.sh'], { encoding: 'utf8', env: servicesEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const dockerConfig = /^DOCKER_CONFIG=(.+)$/m.exec(output)?.[1];
  expect(dockerConfig).toBe(join(state, 'docker-config'));
  // slipway reads registry credentials where Docker clients do.
  vi.stubEnv('DOCKER_CONFIG', dockerConfig);

  slipway = await startTestSlipway();
  await slipway.redis.set(PROBE_KEY, PROBE_VALUE);

  context = await mkdtemp(join(tmpdir(), 'slipway-sec-infra-image-'));
  await copyFile('/bin/busybox', join(context, 'busybox'));
  await writeFile(join(context, 'attack.sh'), attackScript(slipway.redisServer.port));
  await chmod(join(context, 'attack.sh'), 0o755);
  await writeFile(
    join(context, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCOPY attack.sh /attack.sh\nCMD ["/attack.sh"]\n',
  );
}, 120_000);

afterAll(async () => {
  await removeContainersOf(SERVICE);
  await slipway?.stop();
  vi.unstubAllEnvs();
  if (servicesEnv) execFileSync('bash', ['scripts/services.sh', 'stop'], { env: servicesEnv, stdio: 'pipe' });
  for (const dir of [state, context]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('code deployed by slipway', () => {
  it('cannot read or rewrite slipway’s Redis, nor push to the registry, even with host networking', async () => {
    // Honest path first: slipway builds, pushes with the credentials `docker login` left, and pulls them back.
    const tag = `${IMAGE}:v1`;
    const built = await buildImage(docker, { contextDir: context, dockerfile: 'Dockerfile', tag });
    expect(built).toEqual({ ok: true });
    const digest = await pushImage(docker, IMAGE, 'v1', registryAuth);
    await docker.getImage(tag).remove({ force: true }); // the deploy pulls it from the registry, with credentials

    const deployed = await replaceContainer(
      docker,
      { name: `${SERVICE}-staging`, image: `${IMAGE}@${digest}`, port: APP_PORT, network: 'host', labels: { 'slipway.service': SERVICE } },
      { url: `http://127.0.0.1:${APP_PORT}/healthz`, timeoutMs: 60_000, checks: httpHealthChecks },
      { credentials: registryAuth, where: 'the local engine' },
    );
    expect(deployed).toEqual({ ok: true });

    // What the deployed code got back.
    const report = await (await fetch(`http://127.0.0.1:${APP_PORT}/report`)).text();
    expect(report).toContain('== done');
    const redisPart = report.slice(report.indexOf('== redis'), report.indexOf('== registry'));
    expect(redisPart.match(/-NOAUTH/g)).toHaveLength(3);
    expect(redisPart).not.toContain(PROBE_VALUE);
    expect(report.slice(report.indexOf('== registry'))).toMatch(/^HTTP\/1\.[01] 401 Unauthorized/m);

    // And what slipway still has: nothing was rewritten, nothing was pushed.
    expect(await slipway.redis.get(PROBE_KEY)).toBe(PROBE_VALUE);
    const catalog = await fetch(`http://127.0.0.1:${REGISTRY_PORT}/v2/sec-infra-evil/tags/list`);
    expect(catalog.status).toBe(401);
  }, 180_000);

  it('refuses any local process that speaks RESP without the password, wrong guesses included', async () => {
    const password = (await readFile(join(slipway.redisServer.dataDir, 'password'), 'utf8')).trim();
    const answers = await rawRedis(slipway.redisServer.port, ['KEYS *', 'AUTH default guessed', 'CONFIG GET requirepass', `GET ${PROBE_KEY}`]);
    expect(answers).toHaveLength(4);
    expect(answers[0]).toMatch(/^-NOAUTH/);
    expect(answers[1]).toMatch(/^-WRONGPASS/);
    expect(answers[2]).toMatch(/^-NOAUTH/);
    expect(answers[3]).toMatch(/^-NOAUTH/);
    expect(answers.join('\n')).not.toContain(password);
  });
});
