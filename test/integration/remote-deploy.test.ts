import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { registryAuth } from '../../src/adapters/docker/registry-auth.js';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { RedisLogStore } from '../../src/adapters/store/redis-log-store.js';
import type { Run } from '../../src/core/run.js';
import { type RemoteEngine, startRemoteEngine } from '../helpers/remote-engine.js';
import { served, until } from '../helpers/run-watch.js';
import { SIGNER_CHANNELS, sampleConfig } from '../helpers/sample-config.js';
import { listenOnLoopback } from '../helpers/listen-on-loopback.js';
import { useSlackStack } from '../helpers/slack-stack.js';

// Issue 16 §2 end to end: releases built and pushed on slipway's own engine, deployed through the real pipeline
// to a second engine (over mutual TLS for staging, over ssh for production), rolled back there from Slack,
// pulled with the credentials of `registries`, and refused cleanly when the host cannot be trusted or reached.
// The second engine shares this machine's network, so every port below is taken once, by one of them.
const PORTS = {
  tcp: 23601, // the remote engine's API, mutual TLS
  ssh: 23602, // sshd reaching it
  slipway: 23605,
  redis: 23606,
  staging: 23610, // where the staging container listens (on the remote engine)
  stagingUrl: 23611, // staging's `url`: a front that forwards to it and records what it is asked
  production: 23620,
  productionUrl: 23621,
  silent: 23690, // accepts connections and never answers: a host gone dark behind a firewall
};
const SERVICE = 'rdeploy';
// The registry's user (scripts/services.sh logs in as `slipway`) is in the image's path, as `acme` is in
// registry.example.com/acme/shop: a user name is no secret, and messages must keep it.
const IMAGE = '127.0.0.1:5000/slipway-e2e-remote';
const REGISTRY = '127.0.0.1:5000';
const BOB = 'U0BOB';
const USER_VARIABLE = 'RDEPLOY_REGISTRY_USER';
const PASSWORD_VARIABLE = 'RDEPLOY_REGISTRY_PASSWORD';

type Target = Record<string, unknown>;
type Targets = { staging: Target; production: Target };

/** `targets` holds each environment's `target:`, so a restart can change one. */
const config = (repoUrl: string, targets: Targets) => `
registries:
  "${REGISTRY}": { usernameEnv: ${USER_VARIABLE}, passwordEnv: ${PASSWORD_VARIABLE} }
${sampleConfig({
  service: SERVICE,
  repoUrl,
  image: IMAGE,
  ...SIGNER_CHANNELS,
  approvers: { users: [BOB] },
  staging: { port: PORTS.staging, url: `http://127.0.0.1:${PORTS.stagingUrl}`, healthTimeoutSeconds: 20, target: targets.staging },
  production: { port: PORTS.production, url: `http://127.0.0.1:${PORTS.productionUrl}`, healthTimeoutSeconds: 20, target: targets.production },
})}`;

let dir: string;
let remote: RemoteEngine;
/** The remote engine seen through its own socket: what runs there, as its owner would look. */
let remoteDocker: Docker;
const localDocker = dockerClient(process.env.DOCKER_HOST);
let redis: EmbeddedRedis;
let fronts: Front[] = [];
let silent: Server;
const silentSockets = new Set<Socket>();
let credentials: { username: string; password: string };
/** The registry password slipway's environment holds. */
let password: string;

const tlsTarget = (over: { ca?: string } = {}) => ({ kind: 'docker', host: remote.tcp.host, tls: { ...remote.tcp.tls, ...over } });
const sshTarget = (over: { host?: string; timeoutSeconds?: number } = {}) =>
  ({ kind: 'docker', host: remote.ssh.host, identityFile: remote.ssh.identityFile, hostKey: remote.ssh.hostKey, ...over });

/** slipway again on the file's Redis, with this config's targets and the registry password it is given. */
async function start(targets: Targets, given = credentials.password): Promise<void> {
  password = given;
  await stack.restart((repoUrl) => config(repoUrl, targets));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-remote-deploy-'));
  // The credentials `docker login` left (scripts/services.sh); from here on slipway gets them only from
  // slipway.yml's `registries`: its DOCKER_CONFIG is an empty dir, and the remote engine has none of its own.
  const loggedIn = await registryAuth(REGISTRY);
  if (!loggedIn.username || !loggedIn.password) throw new Error(`no credentials for ${REGISTRY} in DOCKER_CONFIG: run scripts/services.sh`);
  credentials = { username: loggedIn.username, password: loggedIn.password };
  password = credentials.password;
  vi.stubEnv('DOCKER_CONFIG', await mkdtemp(join(dir, 'empty-docker-config-')));

  // The engine takes longest to start: the rest is set up meanwhile (each assigned as it comes, for afterAll).
  const engine = startRemoteEngine(join(dir, 'remote'), { tcp: PORTS.tcp, ssh: PORTS.ssh });
  engine.catch(() => undefined); // its failure is thrown where it is awaited, not reported as unhandled first
  redis = await startEmbeddedRedis(join(dir, 'redis'), { port: PORTS.redis });
  remote = await engine;
  console.info(`remote engine (dockerd + sshd, certificates and keys made) answered after ${remote.startupMs} ms`);
  remoteDocker = new Docker({ socketPath: new URL(remote.socket).pathname });
  fronts = await Promise.all([startFront(PORTS.stagingUrl, PORTS.staging), startFront(PORTS.productionUrl, PORTS.production)]);
  silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(PORTS.silent, '127.0.0.1', resolve));
}, 120_000);

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
  await Promise.all(fronts.map((front) => front.stop()));
  await remote?.stop();
  await redis?.stop();
  vi.unstubAllEnvs();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

const stack = useSlackStack({
  config: (repoUrl) => config(repoUrl, { staging: tlsTarget(), production: sshTarget() }),
  env: { PORT: String(PORTS.slipway) },
  // The registry's credentials come from slipway's environment, as slipway.yml names them.
  processEnv: () => ({ ...process.env, [USER_VARIABLE]: credentials.username, [PASSWORD_VARIABLE]: password }),
  redis: () => redis,
});

const pushVersion = (version: string) => stack.repo.pushVersion(version);

/** `/rollback ENV` by Bob, confirmed with the button its answer carries; the rollback's run id. */
const rollBack = (environment: string) => stack.users.rollBack(environment, BOB, 'deploys');

/** The failure alert slipway posted in the service's channel for a run. */
const alertOf = (runId: string) =>
  until(async () => stack.slack.callsOf('chat.postMessage').find((c) => !c.args.thread_ts && String(c.args.text).includes('failed at') && String(c.args.blocks).includes(runId)), `the failure alert of ${runId}`);

const digestOf = (run: Run) => {
  if (!run.release) throw new Error(`run ${run.id} has no release`);
  return run.release.digest;
};

async function inspectOn(docker: Docker, name: string) {
  try {
    return await docker.getContainer(name).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** The environment's container on the remote engine, which must be there and running. */
async function remoteContainer(environment: string) {
  const found = await inspectOn(remoteDocker, `${SERVICE}-${environment}`);
  expect(found?.State.Running, `${SERVICE}-${environment} runs on the remote engine`).toBe(true);
  return found!;
}

/** What the remote engine logged about images since `since` (seconds): pulls, with the reference pulled. */
async function remoteImageEvents(since: number): Promise<{ Action: string; id: string }[]> {
  const stream = (await remoteDocker.getEvents({ since, until: Math.ceil(Date.now() / 1000), filters: { type: ['image'] } })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { Action: string; id: string });
}

const stageSeconds = (run: Run, stage: string) => {
  const found = run.stages.find((s) => s.name === stage);
  return (Date.parse(found?.finishedAt ?? '') - Date.parse(found?.startedAt ?? '')) / 1000;
};

describe('deploying to a remote Docker engine', { timeout: 240_000 }, () => {
  /** r1's run, and r2's: later tests roll back between them. */
  const runs: Record<string, Run> = {};

  it('builds and pushes on the local engine, deploys over TLS to staging and over ssh to production, pulled there by digest', async () => {
    const since = Math.floor(Date.now() / 1000);
    const runId = await pushVersion('r1');
    const atGate = await stack.watch.settled(runId, { status: 'waiting' });
    expect(atGate.stages.find((s) => s.name === 'deploy:staging')).toMatchObject({ status: 'passed', summary: expect.stringContaining(`http://127.0.0.1:${PORTS.stagingUrl}`) });
    await stack.users.click('approve_promotion', await stack.watch.approveValue(runId, 'production'), BOB, 'deploys');
    const run = await stack.watch.settled(runId, { status: 'passed' });
    runs.r1 = run;
    const reference = `${IMAGE}@${digestOf(run)}`;

    // Both containers run on the remote engine, from the release's digest; the local engine runs neither.
    for (const environment of ['staging', 'production']) {
      const container = await remoteContainer(environment);
      expect(container.Config.Image).toBe(reference);
      expect(container.HostConfig.NetworkMode).toBe('host');
      expect(container.Config.Labels['slipway.run']).toBe(runId);
      expect(await inspectOn(localDocker, `${SERVICE}-${environment}`)).toBeUndefined();
    }
    expect(await localDocker.listContainers({ all: true, filters: { label: [`slipway.service=${SERVICE}`] } })).toEqual([]);

    // The remote engine pulled it by digest (it was built elsewhere: it has no tag of it), once for both.
    const image = await remoteDocker.getImage(reference).inspect();
    expect(image.RepoDigests).toContain(reference);
    expect(image.RepoTags ?? []).toEqual([]);
    const pulls = (await remoteImageEvents(since)).filter((e) => e.Action === 'pull');
    expect(pulls.map((e) => e.id)).toEqual([reference]);

    // Health checks went to each environment's url, and that url serves the release.
    for (const [front, environment] of [[fronts[0]!, 'staging'], [fronts[1]!, 'production']] as const) {
      expect(front.seen.filter((path) => path === '/healthz').length, `health checks through ${environment}'s url`).toBeGreaterThan(0);
    }
    expect(await served(PORTS.stagingUrl)).toBe('r1');
    expect(await served(PORTS.productionUrl)).toBe('r1');

    // Each deploy stage's log names where it went.
    const logs = new RedisLogStore(stack.slipway.redis);
    expect((await logs.read(runId, 'deploy:staging')).join('\n')).toContain(`deploying ${reference} to staging (docker on tcp://127.0.0.1:${PORTS.tcp}, recreate)`);
    expect((await logs.read(runId, 'deploy:production')).join('\n')).toContain(`deploying ${reference} to production (docker on ssh://root@127.0.0.1:${PORTS.ssh}, recreate)`);
  });

  it('/rollback in Slack puts the previous release back on the remote host', async () => {
    const runId = await pushVersion('r2');
    // r2 goes to staging and waits at production's gate, unapproved: production keeps r1.
    runs.r2 = await stack.watch.settled(runId, { status: 'waiting' });
    expect((await remoteContainer('staging')).Config.Image).toBe(`${IMAGE}@${digestOf(runs.r2)}`);
    expect(await served(PORTS.stagingUrl)).toBe('r2');

    const rollbackId = await rollBack('staging');
    const rolledBack = await stack.watch.settled(rollbackId);
    expect(rolledBack).toMatchObject({ trigger: 'rollback', status: 'passed', stages: [{ name: 'deploy:staging', status: 'passed' }] });
    const container = await remoteContainer('staging');
    expect(container.Config.Image).toBe(`${IMAGE}@${digestOf(runs.r1!)}`);
    expect(container.Config.Labels['slipway.run']).toBe(rollbackId);
    expect(await served(PORTS.stagingUrl)).toBe('r1');
    expect(await inspectOn(localDocker, `${SERVICE}-staging`)).toBeUndefined();
    // The rollback locked staging to Bob; the next tests deploy there again.
    expect((await stack.users.command('/slipway', 'unlock staging', BOB, 'deploys')).json?.text).toBe(`:unlock: <@${BOB}> unlocked ${SERVICE} staging.`);
  });

  it('pushes and pulls with the credentials of `registries`; a wrong password fails the run naming registry, host and why', async () => {
    // Nothing else could have let the pushes and remote pulls above in: the registry refuses anyone without
    // credentials, slipway's DOCKER_CONFIG holds none, and the remote engine was started with none.
    expect((await fetch(`http://${REGISTRY}/v2/`)).status).toBe(401);
    expect(await registryAuth(REGISTRY)).toEqual({ serveraddress: REGISTRY });

    // r2 runs nowhere now; the remote host drops it, as `docker image prune -a` would there.
    const r2Image = `${IMAGE}@${digestOf(runs.r2!)}`;
    await remoteDocker.getImage(r2Image).remove();
    await expect(remoteDocker.getImage(r2Image).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const staging = await remoteContainer('staging');

    await start({ staging: tlsTarget(), production: sshTarget() }, 'not-the-registry-password');
    // The push is refused.
    const pushed = await stack.watch.settled(await pushVersion('r3'), { status: 'failed' });
    expect(pushed.failure?.stage).toBe('push');
    expect(pushed.failure?.cause).toMatch(new RegExp(`^push to ${REGISTRY} failed: .*(unauthorized|authentication required)`, 'i'));
    expect(String((await alertOf(pushed.id)).args.text)).toContain(`failed at push: ${pushed.failure?.cause}`);

    // A rollback to r2 needs the remote host to pull it: refused, and the alert says which registry, which host, why.
    const rollbackId = await rollBack('staging');
    const pulled = await stack.watch.settled(rollbackId, { status: 'failed' });
    expect(pulled.failure?.stage).toBe('deploy:staging');
    const cause = pulled.failure!.cause;
    expect(cause).toMatch(new RegExp(`^pulling ${r2Image.replace(/[.]/g, '\\.')} from registry ${REGISTRY.replace(/[.]/g, '\\.')} on tcp://127\\.0\\.0\\.1:${PORTS.tcp} failed: .*(unauthorized|authentication required).*; staging stays on its previous release$`, 'i'));
    expect(String((await alertOf(rollbackId)).args.text)).toContain(`failed at deploy:staging: ${cause}`);
    // The wrong password itself is nowhere in what slipway said.
    expect(JSON.stringify(stack.slack.calls)).not.toContain('not-the-registry-password');

    // Nothing was pulled, and r1 serves on, in the very container it ran in.
    await expect(remoteDocker.getImage(r2Image).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const after = await remoteContainer('staging');
    expect({ id: after.Id, startedAt: after.State.StartedAt, image: after.Config.Image }).toEqual({ id: staging.Id, startedAt: staging.State.StartedAt, image: staging.Config.Image });
    expect(await served(PORTS.stagingUrl)).toBe('r1');
  });

  it('a host that refuses TLS or stays silent fails the deploy in bounded time, naming the host and the cause; the previous release keeps running', async () => {
    // The rollback asked for above locked staging to Bob; the deploys here come from a push and from Slack.
    await stack.users.command('/slipway', 'unlock staging', BOB, 'deploys');
    const staging = await remoteContainer('staging');
    const untouched = async () => {
      const now = await remoteContainer('staging');
      expect({ id: now.Id, startedAt: now.State.StartedAt, image: now.Config.Image }).toEqual({ id: staging.Id, startedAt: staging.State.StartedAt, image: staging.Config.Image });
      expect(await served(PORTS.stagingUrl)).toBe('r1');
    };

    // An engine whose certificate tls.ca did not sign: refused before anything is sent.
    await start({ staging: tlsTarget({ ca: remote.wrongTls.ca }), production: sshTarget() });
    const refused = await stack.watch.settled(await pushVersion('r4'), { status: 'failed' });
    expect(refused.failure).toEqual({
      stage: 'deploy:staging',
      cause: `tcp://127.0.0.1:${PORTS.tcp} showed a TLS certificate that the target's tls.ca does not vouch for (unable to verify the first certificate): refused; tls.ca must be the CA that signed the engine's certificate; staging stays on its previous release`,
    });
    expect(String((await alertOf(refused.id)).args.text)).toContain(`failed at deploy:staging: ${refused.failure?.cause}`);
    expect(stageSeconds(refused, 'deploy:staging')).toBeLessThan(10);
    await untouched();

    // A host that takes the connection and says nothing: given up after timeoutSeconds.
    await start({ staging: sshTarget({ host: `ssh://root@127.0.0.1:${PORTS.silent}`, timeoutSeconds: 2 }), production: sshTarget() });
    const asked = await stack.users.command('/deploy', 'main to staging', BOB, 'deploys');
    const deployId = /Started run `([^`]+)`/.exec(String(asked.json?.text))?.[1];
    expect(deployId, String(asked.json?.text)).toBeDefined();
    const silentRun = await stack.watch.settled(deployId!, { status: 'failed' });
    expect(silentRun.release).toMatchObject({ digest: digestOf(refused), reused: true });
    expect(silentRun.failure).toEqual({
      stage: 'deploy:staging',
      cause: `ssh://root@127.0.0.1:${PORTS.silent} did not answer within 2 s: the host may be down or a firewall drops the traffic (raise the target's timeoutSeconds if the engine is only slow); staging stays on its previous release`,
    });
    expect(String((await alertOf(deployId!)).args.text)).toContain(`failed at deploy:staging: ${silentRun.failure?.cause}`);
    // Bounded: the timeout, plus scheduling slack on a loaded 2-core machine.
    const seconds = stageSeconds(silentRun, 'deploy:staging');
    console.info(`deploy to a silent host (timeoutSeconds 2) failed after ${seconds} s`);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
    expect(seconds).toBeLessThan(15);
    await untouched();
  });
});

type Front = { seen: string[]; stop(): Promise<void> };

/**
 * What stands at an environment's `url` on a real server (a load balancer): forwards every request to the
 * app's port on this machine and records the paths it was asked for, so the test sees where health checks went.
 */
async function startFront(port: number, appPort: number): Promise<Front> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    // A connection per request: a kept-alive one would outlive the container a deploy replaces.
    const upstream = http.request({ host: '127.0.0.1', port: appPort, path: req.url, method: req.method, headers: req.headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`front: ${error.message}\n`);
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 1_000;
  return { seen, stop: await listenOnLoopback(server, port) };
}
