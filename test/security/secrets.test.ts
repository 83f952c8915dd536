import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { registryAuth } from '../../src/adapters/docker/registry-auth.js';
import { ensureImage } from '../../src/adapters/docker/run-container.js';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { RedisLogStore } from '../../src/adapters/store/redis-log-store.js';
import type { Run } from '../../src/core/run.js';
import { filesUnder, findLeaks, type Haystack, redisDump, savedImage, secretForms } from '../helpers/leak-search.js';
import { served, until } from '../helpers/run-watch.js';
import { SIGNER_CHANNELS, sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';
import type { LogLine } from '../helpers/test-slipway.js';

// Issue 16 §3: a secret's value appears nowhere but inside the container. A release is deployed, a release
// that fails its health check (and prints its whole environment, as apps do on a bad day) is put back, and
// /rollback is clicked through Slack; then everything slipway wrote or said is searched for the values.
const SERVICE = 'sec-secrets';
const IMAGE = '127.0.0.1:5000/slipway-sec-secrets';
const CONTAINER = `${SERVICE}-staging`;
const [APP_PORT, REDIS_PORT, SLIPWAY_PORT] = [23410, 23420, 23430];
const PUBLIC_URL = 'https://slipway.example.com';
const BOB = 'U0BOB';
const DB_VARIABLE = 'SEC_SECRETS_DB_PASSWORD';

const random = () => randomBytes(12).toString('hex');
const VALUES = { DB_PASSWORD: `s3cr3t-db-${random()}`, API_TOKEN: `s3cr3t-file-${random()}` };
const GREETING = `plain-greeting-${random()}`;
/** In a file of the repository, so in a layer of every image: shows the layer search reads file contents. */
const LAYER_MARKER = `layer-marker-${random()}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const config = (repoUrl: string, secretFile: string) =>
  sampleConfig({
    service: SERVICE,
    repoUrl,
    image: IMAGE,
    ...SIGNER_CHANNELS,
    approvers: { users: [BOB] },
    staging: {
      port: APP_PORT,
      healthTimeoutSeconds: 8,
      env: { GREETING },
      secrets: { DB_PASSWORD: { env: DB_VARIABLE }, API_TOKEN: { file: secretFile } },
    },
  });

const DOCKERFILE = `FROM scratch AS app
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
WORKDIR /app
COPY . /app
CMD ["sh", "/app/serve.sh"]
`;

/** Shows it got its secrets without giving them away (their sha256 only); the plain variable as it is. */
const serveScript = ({ printEnvironment = false } = {}) => `#!/bin/sh
${printEnvironment ? 'env\n' : ''}printf %s "$DB_PASSWORD" | sha256sum | cut -d ' ' -f 1 > /app/www/db-password.sha256
printf %s "$API_TOKEN" | sha256sum | cut -d ' ' -f 1 > /app/www/api-token.sha256
printf '%s\\n' "$GREETING" > /app/www/greeting
# As PID 1, httpd would ignore SIGTERM; the shell stops it at once.
httpd -f -p "127.0.0.1:$PORT" -h /app/www & trap 'kill $!; exit 0' TERM; wait
`;

let dir: string;
let secretFile: string;
let redis: EmbeddedRedis;
/** slipway as it runs in production: its whole environment, plus (unless a test leaves it out) the database password. */
let processEnv: NodeJS.ProcessEnv = { ...process.env, [DB_VARIABLE]: VALUES.DB_PASSWORD };
/**
 * What every slipway started here logged (a restart starts a new log). The test's logger is told only the webhook
 * secrets, so a value found here is one slipway's own code let through.
 */
const logs: LogLine[][] = [];
const docker = dockerClient(process.env.DOCKER_HOST);
const runIds: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-sec-secrets-'));
  secretFile = join(dir, 'api-token');
  await writeFile(secretFile, `${VALUES.API_TOKEN}\n`, { mode: 0o600 });
  // Redis of the test's own, so slipway can be restarted on the same data and its append-only files searched.
  redis = await startEmbeddedRedis(join(dir, 'redis'), { port: REDIS_PORT });
}, 60_000);

afterAll(async () => {
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const stack = useSlackStack({
  config: (repoUrl) => config(repoUrl, secretFile),
  env: { PORT: String(SLIPWAY_PORT), SLIPWAY_PUBLIC_URL: PUBLIC_URL },
  processEnv: () => processEnv,
  redis: () => redis,
});
beforeAll(() => {
  logs.push(stack.slipway.logs);
});

async function pushVersion(version: string, files: Record<string, string> = {}, remove: string[] = []): Promise<Run> {
  await stack.repo.commit({ 'www/version': `${version}\n`, ...files }, `Version ${version}`, { remove });
  const { runId } = await stack.repo.push('main');
  if (!runId) throw new Error('the push started no run');
  runIds.push(runId);
  return stack.watch.settled(runId);
}

/** The app's own word that it got each value (by its hash), and the plain variable. */
async function expectServedWithSecrets(version: string) {
  expect(await served(APP_PORT)).toBe(version);
  expect(await served(APP_PORT, '/greeting')).toBe(GREETING);
  expect(await served(APP_PORT, '/db-password.sha256')).toBe(sha256(VALUES.DB_PASSWORD));
  expect(await served(APP_PORT, '/api-token.sha256')).toBe(sha256(VALUES.API_TOKEN));
}

/** Inside the container is the one place a value may be: its environment, and nothing else `docker inspect` shows. */
async function expectOnlyInContainerEnv() {
  const container = await docker.getContainer(CONTAINER).inspect();
  expect(container.Config.Env).toEqual(expect.arrayContaining([`DB_PASSWORD=${VALUES.DB_PASSWORD}`, `API_TOKEN=${VALUES.API_TOKEN}`, `GREETING=${GREETING}`]));
  // The positive control: the same search that must find nothing anywhere else finds both values here.
  const found = findLeaks({ 'container Env': container.Config.Env }, VALUES).map((hit) => hit.split(' in ')[0]);
  expect(found.sort()).toEqual(['container Env: API_TOKEN', 'container Env: DB_PASSWORD']);
  const { Env: _env, ...configWithoutEnv } = container.Config;
  expect(findLeaks({ 'docker inspect of the container, Env left out': JSON.stringify({ ...container, Config: configWithoutEnv }) }, VALUES)).toEqual([]);
  return container;
}

const runLink = (runId: string) => /<(https:\/\/slipway\.example\.com\/runs\/[^|>]+)\|details>/.exec(stack.watch.lastRunMessage(runId) ?? '')?.[1];

/** The run page of each run, opened with the signed link its Slack message carries, as people open it. */
async function runPages(): Promise<Record<string, string>> {
  const pages: Record<string, string> = {};
  for (const runId of runIds) {
    const link = await until(async () => runLink(runId), `the run page link of ${runId}`, 30_000);
    const res = await fetch(link.replace(PUBLIC_URL, stack.slipway.url));
    expect(res.status, `run page of ${runId}`).toBe(200);
    pages[`run page ${runId}`] = await res.text();
  }
  return pages;
}

/** The releases' images as the engine has them: every reference slipway deployed or kept. */
async function releaseImages(): Promise<string[]> {
  const references = new Set<string>();
  for (const runId of runIds) {
    const release = (await stack.slipway.runs.get(runId))?.release;
    if (release) references.add(`${release.image}@${release.digest}`);
  }
  return [...references];
}

/**
 * Everything slipway wrote or said where a value could get out, each with proof that it holds what it should
 * (the search is not run over an empty or unreadable haystack).
 */
async function everywhere(): Promise<Record<string, Haystack>> {
  const places: Record<string, Haystack> = {};
  places['slipway log'] = JSON.stringify(logs.flat());
  places['fake Slack calls'] = JSON.stringify([stack.slack.calls, stack.slack.refused]);
  Object.assign(places, await runPages());
  const metrics = await fetch(`${stack.slipway.url}/metrics`);
  places['/metrics'] = await metrics.text();
  expect(places['/metrics']).toContain('slipway_runs_total');
  places['Redis keys'] = await redisDump(stack.slipway.redis);
  places['Redis append-only files'] = await filesUnder(redis.dataDir);
  for (const place of ['slipway log', 'fake Slack calls', 'Redis keys', 'Redis append-only files']) {
    const text = Buffer.concat([places[place]!].flat().map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
    for (const runId of runIds) expect(text.includes(runId), `${place} mentions ${runId}`).toBe(true);
  }

  const images = await releaseImages();
  expect(images.length).toBeGreaterThanOrEqual(3);
  for (const reference of images) {
    // A release slipway built here and never deployed may have been discarded after its push: the registry has it.
    await ensureImage(docker, reference, { credentials: registryAuth, where: 'the test engine' });
    const inspected = await docker.getImage(reference).inspect();
    expect(Object.keys(inspected.Config.Labels ?? {})).toContain('slipway.sha');
    places[`image inspect ${reference}`] = JSON.stringify(inspected);
    places[`image save ${reference}`] = await savedImage(docker, reference);
    expect(Buffer.concat(places[`image save ${reference}`] as Buffer[]).includes(LAYER_MARKER), `the layers of ${reference} are searchable`).toBe(true);
  }
  return places;
}

describe('a secret of an environment', { timeout: 180_000 }, () => {
  it('is found by the search in any of the forms it could be written in', () => {
    const value = VALUES.DB_PASSWORD;
    const blobs = [value, `{"a":"${value}"}`, `ab${value}cd`, `x${value}`].flatMap((text) => [
      Buffer.from(text).toString('hex'),
      Buffer.from(text).toString('base64'),
      Buffer.from(text).toString('base64url'),
    ]);
    for (const blob of blobs) expect(findLeaks({ blob }, { value }), blob).not.toEqual([]);
    expect(secretForms(value).every((form) => form.length >= 12)).toBe(true);
  });

  it('reaches the container of a deployed release, with the plain variables, and the app sees it', async () => {
    const run = await pushVersion('v1', { Dockerfile: DOCKERFILE, 'serve.sh': serveScript(), 'www/marker': `${LAYER_MARKER}\n` });
    expect(run.status, JSON.stringify(run.failure)).toBe('passed');
    await expectServedWithSecrets('v1');
    await expectOnlyInContainerEnv();
  });

  it('stays out of what a failed release printed: its output is scrubbed, and the previous release serves on', async () => {
    const second = await pushVersion('v2');
    expect(second.status, JSON.stringify(second.failure)).toBe('passed');
    const before = await docker.getContainer(CONTAINER).inspect();

    const failed = await pushVersion('v3-unhealthy', { 'serve.sh': serveScript({ printEnvironment: true }) }, ['www/healthz']);
    expect(failed.failure).toEqual({
      stage: 'deploy:staging',
      cause: `http://127.0.0.1:${APP_PORT}/healthz was not healthy within 8 s (answered 404); staging stays on its previous release`,
    });
    await expectServedWithSecrets('v2');
    const after = await expectOnlyInContainerEnv();
    expect(after.Id).toBe(before.Id);
    // The release printed its environment; slipway read that output into the stage's log, with the values out.
    const log = (await new RedisLogStore(stack.slipway.redis).read(failed.id, 'deploy:staging')).join('\n');
    expect(log).toContain('DB_PASSWORD=[redacted]');
    expect(log).toContain('API_TOKEN=[redacted]');
    expect(log).toContain(`GREETING=${GREETING}`);
  });

  it('goes back into the container on a /rollback clicked in Slack', async () => {
    const asked = await stack.users.command('/rollback', 'staging', BOB, 'deploys');
    expect(asked.json?.text).toMatch(new RegExp(`^Roll \\*${SERVICE}\\* staging back from \`main-[0-9a-f]{7}\` to \`main-[0-9a-f]{7}\``));
    const button = (asked.json?.blocks as { elements: { action_id: string; value: string }[] }[])[1]!.elements[0]!;
    await stack.users.click(button.action_id, button.value, BOB, 'deploys');
    const told = await until(async () => stack.slack.callsOf('response_url').map((c) => String(c.args.text)).find((t) => t.includes(' as run ')), 'the rollback answer');
    const rollbackId = /as run (\S+)\. /.exec(told)![1]!;
    runIds.push(rollbackId);
    const rolledBack = await stack.watch.settled(rollbackId);
    expect(rolledBack).toMatchObject({ trigger: 'rollback', status: 'passed' });
    await expectServedWithSecrets('v1');
    await expectOnlyInContainerEnv();
  });

  it('appears after all that nowhere else: log, Slack, run pages, /metrics, Redis, image labels and layers', async () => {
    const places = await everywhere();
    // The failed release's page shows the output it printed, the values scrubbed out of it.
    const failedPage = Object.entries(places).find(([place, text]) => place.startsWith('run page') && String(text).includes('v3-unhealthy'));
    expect(String(failedPage?.[1])).toContain('DB_PASSWORD=[redacted]');
    expect(findLeaks(places, VALUES)).toEqual([]);
  });

  it('when missing (a file that cannot be read, a variable not set) stops the deploy naming it; the running release is untouched', async () => {
    // The rollback locked staging to the one who asked for it; a deploy needs it unlocked again.
    expect((await stack.users.command('/slipway', 'unlock staging', BOB, 'deploys')).json?.text).toBe(`:unlock: <@${BOB}> unlocked ${SERVICE} staging.`);
    const before = await docker.getContainer(CONTAINER).inspect();
    const untouched = async () => {
      const now = await docker.getContainer(CONTAINER).inspect();
      expect(await docker.listContainers({ all: true, filters: { label: [`slipway.service=${SERVICE}`] } })).toHaveLength(1);
      expect({ id: now.Id, startedAt: now.State.StartedAt, running: now.State.Running }).toEqual({ id: before.Id, startedAt: before.State.StartedAt, running: true });
      await expectServedWithSecrets('v1');
    };
    const alertOf = (runId: string) =>
      until(async () => stack.slack.callsOf('chat.postMessage').find((c) => String(c.args.text).includes('failed at deploy:staging') && String(c.args.blocks).includes(runId)), `the failure alert of ${runId}`);

    // Running as root, a file's mode keeps no one out: the file that cannot be read is one that is not there.
    await rm(secretFile);
    const noFile = await pushVersion('v4');
    expect(noFile.failure).toEqual({
      stage: 'deploy:staging',
      cause: `secret API_TOKEN (cannot read ${secretFile}: ENOENT) is missing; nothing was changed; staging stays on its previous release`,
    });
    await untouched();
    expect(String((await alertOf(noFile.id)).args.blocks)).toContain(`secret API_TOKEN (cannot read ${secretFile}: ENOENT) is missing`);

    // slipway restarted without the variable (the file is back): read at the deploy, and named there.
    await writeFile(secretFile, `${VALUES.API_TOKEN}\n`, { mode: 0o600 });
    const { [DB_VARIABLE]: _unset, ...withoutVariable } = process.env;
    processEnv = withoutVariable;
    await stack.restart();
    logs.push(stack.slipway.logs);
    const noVariable = await pushVersion('v5');
    expect(noVariable.failure).toEqual({
      stage: 'deploy:staging',
      cause: `secret DB_PASSWORD (${DB_VARIABLE} is not set in slipway's environment) is missing; nothing was changed; staging stays on its previous release`,
    });
    await untouched();
    expect(String((await alertOf(noVariable.id)).args.blocks)).toContain(`secret DB_PASSWORD (${DB_VARIABLE} is not set in slipway's environment) is missing`);

    expect(findLeaks(await everywhere(), VALUES)).toEqual([]);
  });
});
