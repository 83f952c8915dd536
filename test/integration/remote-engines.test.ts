import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { connectEngine } from '../../src/adapters/docker/engine-connection.js';
import { engineProblem } from '../../src/adapters/docker/engine-errors.js';
import { registryAuth } from '../../src/adapters/docker/registry-auth.js';
import { DockerTarget } from '../../src/core/target-schema.js';
import { type RemoteEngine, startRemoteEngine } from '../helpers/remote-engine.js';

// Ports of this file (range 23000-23199).
const TCP = 23001;
const SSH = 23002;
const NOBODY = 23003;
const SILENT = 23004;

let dir: string;
let remote: RemoteEngine;
let silent: Server;
const silentSockets = new Set<Socket>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-remote-'));
  remote = await startRemoteEngine(dir, { tcp: TCP, ssh: SSH });
  console.info(`remote engine (dockerd + sshd, certificates and keys made) answered after ${remote.startupMs} ms`);
  // Accepts connections and never says a word: a host that hangs.
  silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(SILENT, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  await remote?.stop();
  await rm(dir, { recursive: true, force: true });
});

const tcpTarget = (over: Partial<DockerTarget> = {}) => DockerTarget.parse({ kind: 'docker', host: remote.tcp.host, tls: remote.tcp.tls, ...over });
const sshTarget = (over: Partial<DockerTarget> = {}) =>
  DockerTarget.parse({ kind: 'docker', host: remote.ssh.host, identityFile: remote.ssh.identityFile, hostKey: remote.ssh.hostKey, ...over });

/** The error a call rejects with, and the sentence the failure alert would carry. */
async function refusal(where: string, call: () => Promise<unknown>): Promise<{ error: unknown; sentence: string; ms: number }> {
  const started = Date.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error(`expected ${where} to refuse`);
  return { error, sentence: engineProblem(error, where), ms: Date.now() - started };
}

// Both engines answer with the same info.ID (dockerd derives it from /etc/docker/key.json, which they share):
// DockerRootDir tells them apart.
describe('connectEngine reaches a second Docker engine', () => {
  it('over TCP with mutual TLS: ping and info', async () => {
    const { docker, where } = connectEngine(tcpTarget(), undefined);
    expect(where).toBe(`tcp://127.0.0.1:${TCP}`);
    expect(String(await docker.ping())).toBe('OK');
    const info = await docker.info();
    expect(info.DockerRootDir).toBe(join(dir, 'engine-data'));
  });

  it('over ssh with a key file and the pinned host key: ping and info', async () => {
    const { docker, where } = connectEngine(sshTarget(), undefined);
    expect(where).toBe(`ssh://root@127.0.0.1:${SSH}`);
    expect(String(await docker.ping())).toBe('OK');
    expect((await docker.info()).DockerRootDir).toBe(join(dir, 'engine-data'));
  });

  it('over ssh with the key in an ssh agent (no identityFile)', async () => {
    const agentSocket = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      // ssh-agent -D prints its environment lines once the socket listens.
      await new Promise<void>((resolve, reject) => {
        agent.stdout!.once('data', () => resolve());
        agent.once('exit', (code) => reject(new Error(`ssh-agent exited (${code})`)));
      });
      await promisify(execFile)('ssh-add', [remote.ssh.identityFile], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket } });
      const { docker } = connectEngine(sshTarget({ identityFile: undefined }), undefined, { SSH_AUTH_SOCK: agentSocket });
      expect((await docker.info()).DockerRootDir).toBe(join(dir, 'engine-data'));
    } finally {
      await stopped(agent);
    }
  });

  it('pulls from the registry on 127.0.0.1:5000 with its credentials, over ssh', async () => {
    const local = dockerClient(process.env.DOCKER_HOST);
    const auth = await registryAuth('127.0.0.1:5000');
    const repository = '127.0.0.1:5000/slipway-remote-engine-test';
    const tag = `t${Date.now()}`;
    await followed(local, await local.importImage(Readable.from(oneFileTar(`pulled by the remote engine ${tag}\n`)), { repo: repository, tag }));
    const pushed = await followed(local, await local.getImage(`${repository}:${tag}`).push({ authconfig: auth }));
    const digest = pushed.map((event) => (event as { aux?: { Digest?: string } }).aux?.Digest).find(Boolean);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    await local.getImage(`${repository}:${tag}`).remove();

    const { docker } = connectEngine(sshTarget(), undefined);
    await followed(docker, await docker.pull(`${repository}@${digest}`, { authconfig: auth }));
    expect((await docker.getImage(`${repository}@${digest}`).inspect()).RepoDigests).toContain(`${repository}@${digest}`);
  });
});

describe('a remote engine that cannot be trusted or reached fails with a sentence naming it', () => {
  it('TLS: an engine whose certificate tls.ca did not sign is refused', async () => {
    const { docker, where } = connectEngine(tcpTarget({ tls: { ...remote.tcp.tls, ca: remote.wrongTls.ca } }), undefined);
    const { error, sentence } = await refusal(where, () => docker.ping());
    expect((error as NodeJS.ErrnoException).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(sentence).toBe(
      `tcp://127.0.0.1:${TCP} showed a TLS certificate that the target's tls.ca does not vouch for (unable to verify the first certificate): refused; tls.ca must be the CA that signed the engine's certificate`,
    );
  });

  it('TLS: a client certificate from another CA is refused by the engine', async () => {
    const { docker, where } = connectEngine(tcpTarget({ tls: { ...remote.tcp.tls, cert: remote.wrongTls.cert, key: remote.wrongTls.key } }), undefined);
    const { sentence } = await refusal(where, () => docker.ping());
    expect(sentence).toBe(
      `tcp://127.0.0.1:${TCP} refused slipway's TLS client certificate (alert bad certificate): tls.cert must be signed by the CA the engine trusts (its --tlscacert)`,
    );
  });

  it('TLS: an engine reached by a name its certificate was not made for is refused', async () => {
    // The server certificate carries only IP:127.0.0.1.
    const { docker, where } = connectEngine(tcpTarget({ host: `tcp://localhost:${TCP}` }), undefined);
    const { sentence } = await refusal(where, () => docker.ping());
    expect(sentence).toBe(
      `tcp://localhost:${TCP} showed a TLS certificate made for another name (Hostname/IP does not match certificate's altnames: Host: localhost. is not cert's CN: 127.0.0.1): the engine's certificate needs a subjectAltName for the host slipway connects to`,
    );
  });

  it('ssh: a host showing another key than the pinned one is refused, naming both fingerprints', async () => {
    const pinned = 'SHA256:' + 'A'.repeat(43);
    const { docker, where } = connectEngine(sshTarget({ hostKey: pinned }), undefined);
    const { sentence } = await refusal(where, () => docker.ping());
    expect(sentence).toBe(
      `ssh://root@127.0.0.1:${SSH} showed the ssh host key ${remote.ssh.hostKey} (ssh-ed25519), but the target's hostKey pins ${pinned}: refused, nothing was sent (if that is the server's key, check it with ssh-keyscan -t ssh-ed25519 and pin it)`,
    );
  });

  it('ssh: a key the server does not authorize is refused', async () => {
    const { docker, where } = connectEngine(sshTarget({ identityFile: remote.strangerKey }), undefined);
    const { error, sentence } = await refusal(where, () => docker.ping());
    expect((error as { level?: string }).level).toBe('client-authentication');
    expect(sentence).toBe(
      `ssh://root@127.0.0.1:${SSH} refused slipway's ssh key (All configured authentication methods failed): add the public key of the target's identityFile (or of the agent's key) to the ssh user's authorized_keys there`,
    );
  });

  it('ssh: a host without the docker CLI says so in its own words', async () => {
    const { docker, where } = connectEngine(sshTarget({ identityFile: remote.noDockerKey }), undefined);
    const { sentence } = await refusal(where, () => docker.ping());
    expect(sentence).toMatch(
      new RegExp(`^docker system dial-stdio failed on ssh://root@127\\.0\\.0\\.1:${SSH} \\(exit 127: .*/nonexistent/docker: No such file or directory\\): the docker CLI must be installed there and the ssh user must be allowed to use the engine$`),
    );
  });

  it('a port nobody listens on: refused at once, naming the host', async () => {
    for (const target of [tcpTarget({ host: `tcp://127.0.0.1:${NOBODY}` }), sshTarget({ host: `ssh://root@127.0.0.1:${NOBODY}` })]) {
      const { docker, where } = connectEngine(target, undefined);
      const { sentence, ms } = await refusal(where, () => docker.ping());
      expect(sentence).toMatch(new RegExp(`^${where.replace(/[./]/g, '\\$&')} refused the connection: nothing listens on that port \\(is (dockerd|sshd)`));
      expect(ms).toBeLessThan(target.timeoutSeconds * 1000);
    }
  });

  it('a host that accepts and then says nothing: fails after timeoutSeconds, naming the host', async () => {
    for (const target of [tcpTarget({ host: `tcp://127.0.0.1:${SILENT}`, timeoutSeconds: 1 }), sshTarget({ host: `ssh://root@127.0.0.1:${SILENT}`, timeoutSeconds: 1 })]) {
      const { docker, where } = connectEngine(target, undefined);
      const { sentence, ms } = await refusal(where, () => docker.ping());
      expect(sentence).toBe(`${where} did not answer within 1 s: the host may be down or a firewall drops the traffic (raise the target's timeoutSeconds if the engine is only slow)`);
      // Bounded: the timeout plus scheduling slack on a loaded 2-core machine.
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(10_000);
    }
  });

  it('an engine error answer names the host and carries the engine\'s words', async () => {
    const { docker, where } = connectEngine(tcpTarget(), undefined);
    const { sentence } = await refusal(where, () => docker.getContainer('no-such-container').inspect());
    expect(sentence).toBe(`the Docker engine on tcp://127.0.0.1:${TCP} answered HTTP 404: No such container: no-such-container`);
  });
});

describe('connectEngine checks its files before sending anything', () => {
  it('an unreadable or wrong-kind file is named with its key and path', async () => {
    expect(() => connectEngine(tcpTarget({ tls: { ...remote.tcp.tls, ca: join(dir, 'missing.pem') } }), undefined)).toThrow(
      `cannot read tls.ca ${join(dir, 'missing.pem')} for tcp://127.0.0.1:${TCP} (no such file): fix the path in the target or the file's permissions`,
    );
    expect(() => connectEngine(tcpTarget({ tls: { ...remote.tcp.tls, key: remote.tcp.tls.cert } }), undefined)).toThrow(
      new RegExp(`^tls\\.key ${remote.tcp.tls.cert.replace(/[./]/g, '\\$&')} for tcp://127\\.0\\.0\\.1:${TCP} is not an unencrypted PEM private key \\(.+\\): tls\\.key is the private key of tls\\.cert$`),
    );
    expect(() => connectEngine(sshTarget({ identityFile: `${remote.ssh.identityFile}.pub` }), undefined)).toThrow(
      `identityFile ${remote.ssh.identityFile}.pub for ssh://root@127.0.0.1:${SSH} is not an unencrypted ssh private key (it holds a public key): name the private key, not the .pub; an encrypted key works through the ssh agent (ssh-add it and leave identityFile unset)`,
    );
    const encrypted = join(dir, 'encrypted_key');
    await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-f', encrypted]);
    expect(() => connectEngine(sshTarget({ identityFile: encrypted }), undefined)).toThrow(
      new RegExp(`^identityFile ${encrypted.replace(/[./]/g, '\\$&')} for ssh://root@127\\.0\\.0\\.1:${SSH} is not an unencrypted ssh private key \\(Encrypted private OpenSSH key detected, but no passphrase given\\): name the private key, not the \\.pub; an encrypted key works through the ssh agent \\(ssh-add it and leave identityFile unset\\)$`),
    );
  });

  it('ssh without identityFile and without an agent says how to give it a key', () => {
    expect(() => connectEngine(sshTarget({ identityFile: undefined }), undefined, {})).toThrow(
      `ssh://root@127.0.0.1:${SSH} needs an ssh key: set identityFile in the target, or run slipway with SSH_AUTH_SOCK pointing at an ssh agent that holds the key`,
    );
  });

  it('slipway\'s own DOCKER_* settings do not leak into a remote target\'s connection', async () => {
    // docker-modem reads these from the process environment and merges them under the options it is given.
    const certPath = join(dir, 'wrong-cert-path');
    await mkdir(certPath);
    await Promise.all([copyFile(remote.wrongTls.ca, join(certPath, 'ca.pem')), copyFile(remote.wrongTls.cert, join(certPath, 'cert.pem')), copyFile(remote.wrongTls.key, join(certPath, 'key.pem'))]);
    const saved = { ...process.env };
    try {
      for (const env of [
        { DOCKER_HOST: `tcp://127.0.0.1:${NOBODY}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certPath, DOCKER_CLIENT_TIMEOUT: '1' },
        { DOCKER_HOST: `ssh://intruder@127.0.0.1:${NOBODY}`, SSH_AUTH_SOCK: join(dir, 'no-agent.sock'), DOCKER_CLIENT_TIMEOUT: '1' },
      ]) {
        Object.assign(process.env, env);
        for (const target of [tcpTarget(), sshTarget()]) {
          const { docker } = connectEngine(target, undefined, {});
          expect((await docker.info()).DockerRootDir).toBe(join(dir, 'engine-data'));
        }
        for (const key of Object.keys(env)) delete process.env[key];
      }
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it('no target, or a target without host: slipway\'s own engine', async () => {
    for (const target of [undefined, DockerTarget.parse({ kind: 'docker' })]) {
      const { docker, where } = connectEngine(target, process.env.DOCKER_HOST);
      expect(where).toBe('the local engine');
      expect((await docker.info()).DockerRootDir).toBe((await dockerClient(process.env.DOCKER_HOST).info()).DockerRootDir);
    }
  });
});

/** A tar holding one small file: the whole filesystem of an image made with `docker import`. */
function oneFileTar(text: string) {
  const tar = pack();
  tar.entry({ name: 'hello.txt' }, text);
  tar.finalize();
  return tar;
}

/** All progress events of a pull, push or import; the first `{error}` among them fails it. */
function followed(docker: Docker, stream: NodeJS.ReadableStream): Promise<unknown[]> {
  return new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, events: unknown[]) => {
      const failed = events?.find((event) => (event as { error?: string }).error) as { error: string } | undefined;
      if (err || failed) reject(err ?? new Error(failed!.error));
      else resolve(events);
    }),
  );
}

async function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
