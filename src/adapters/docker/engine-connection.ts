import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import ssh2 from 'ssh2';
import { SlipwayError } from '../../core/errors.js';
import type { EngineTarget } from '../../core/target-schema.js';
import { dockerClient } from './docker-client.js';
import { engineTimeout } from './engine-errors.js';
import { SshDialAgent } from './ssh-dial-agent.js';

/** A client for one environment's engine, and how messages name that engine (never a secret). */
export type EngineConnection = { docker: Docker; where: string };

/**
 * The Docker engine a target names: `ssh://user@host[:port]` (key from `identityFile`, else the agent at
 * `SSH_AUTH_SOCK`; the host key must match the pinned `hostKey`), `tcp://host:port` with mutual TLS, or
 * `unix:///path`. No target or no host: slipway's own engine, exactly as before. Remote calls fail with a
 * sentence naming the host once the engine stays silent for `timeoutSeconds` (engine-errors.ts). Key and
 * certificate files are read here, so a bad path or a file of the wrong kind fails before anything is sent.
 */
export function connectEngine(target: EngineTarget | undefined, localDockerHost: string | undefined, env: NodeJS.ProcessEnv = process.env): EngineConnection {
  if (!target?.host) return { docker: dockerClient(localDockerHost), where: 'the local engine' };
  const url = new URL(target.host);
  const timeoutMs = Math.round(target.timeoutSeconds * 1000);
  if (url.protocol === 'unix:') {
    const where = `unix://${url.pathname}`;
    return { docker: engine({ socketPath: url.pathname, agent: silenceLimited(new http.Agent({ keepAlive: false }), where, timeoutMs) }), where };
  }
  if (url.protocol === 'tcp:') return tlsEngine(target, url, timeoutMs);
  if (url.protocol === 'ssh:') return sshEngine(target, url, timeoutMs, env);
  throw new SlipwayError('engine_host', `the target host ${url.protocol}//${url.host} is not ssh://, tcp:// or unix://`);
}

/**
 * An engine connected on first use: a key or certificate file that cannot be read fails the calls made through
 * it (each deploy of that environment, with the sentence saying why), not slipway's start.
 */
export function lazyEngine(target: EngineTarget | undefined, localDockerHost: string | undefined): { where: string; engine(): Docker } {
  let connection: EngineConnection | { failed: unknown; where: string };
  try {
    connection = connectEngine(target, localDockerHost);
  } catch (error) {
    connection = { failed: error, where: target?.host ?? 'the local engine' };
  }
  const settled = connection;
  return {
    where: settled.where,
    engine() {
      if ('failed' in settled) throw settled.failed;
      return settled.docker;
    },
  };
}

function tlsEngine(target: EngineTarget, url: URL, timeoutMs: number): EngineConnection {
  const where = `tcp://${url.host}`;
  if (!target.tls) throw new SlipwayError('engine_tls', `${where} needs tls: { ca, cert, key }: slipway does not talk to an engine API without mutual TLS`);
  const ca = readPem('tls.ca', target.tls.ca, where, (pem) => new X509Certificate(pem), 'a PEM certificate', 'tls.ca is the certificate of the CA that signed the engine\'s certificate');
  const cert = readPem('tls.cert', target.tls.cert, where, (pem) => new X509Certificate(pem), 'a PEM certificate', 'tls.cert is slipway\'s client certificate, signed by the CA the engine trusts');
  const key = readPem('tls.key', target.tls.key, where, (pem) => createPrivateKey(pem), 'an unencrypted PEM private key', 'tls.key is the private key of tls.cert');
  const docker = engine({
    protocol: 'https',
    host: url.hostname,
    port: Number(url.port),
    ca,
    cert,
    key,
    agent: silenceLimited(new https.Agent({ keepAlive: false }), where, timeoutMs),
  });
  return { docker, where };
}

function sshEngine(target: EngineTarget, url: URL, timeoutMs: number, env: NodeJS.ProcessEnv): EngineConnection {
  const port = Number(url.port || 22);
  const username = decodeURIComponent(url.username);
  const where = `ssh://${username}@${url.hostname}:${port}`;
  if (!target.hostKey) {
    throw new SlipwayError('engine_host_key', `${where} needs its host key pinned in hostKey: run ssh-keyscan -p ${port} ${url.hostname} | ssh-keygen -lf - and copy the SHA256:… of the key type you trust`);
  }
  let privateKey: Buffer | undefined;
  if (target.identityFile) {
    privateKey = readPem('identityFile', target.identityFile, where, (pem) => {
      const parsed = ssh2.utils.parseKey(pem);
      if (parsed instanceof Error) throw parsed;
      if (!parsed.isPrivateKey()) throw new Error('it holds a public key');
    }, 'an unencrypted ssh private key', 'name the private key, not the .pub; an encrypted key works through the ssh agent (ssh-add it and leave identityFile unset)');
  } else if (!env.SSH_AUTH_SOCK) {
    throw new SlipwayError('engine_ssh_key', `${where} needs an ssh key: set identityFile in the target, or run slipway with SSH_AUTH_SOCK pointing at an ssh agent that holds the key`);
  }
  const agent = new SshDialAgent({
    where,
    // An IPv6 address comes bracketed out of the URL; the socket wants it bare.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    username,
    privateKey,
    agent: privateKey ? undefined : env.SSH_AUTH_SOCK,
    hostKey: target.hostKey,
    timeoutMs,
  });
  // Plain HTTP over the agent's ssh channel; the host and port here only fill the Host header.
  return { docker: engine({ protocol: 'http', host: url.hostname, port, agent }), where };
}

type EngineOptions = Docker.DockerOptions & { agent?: http.Agent };

/**
 * docker-modem merges what it reads from slipway's own environment (DOCKER_HOST, DOCKER_CERT_PATH,
 * DOCKER_CLIENT_TIMEOUT) under the options it gets: every key that would change how a remote engine is
 * reached is set here, `undefined` when unused, so none of them leaks from the local engine's settings.
 */
function engine(options: EngineOptions): Docker {
  const explicit: EngineOptions = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    // Our agents bound silence themselves, with a sentence naming the host (modem's timeout only says "socket hang up").
    timeout: undefined,
    sshOptions: undefined,
    username: undefined,
    ...options,
  };
  return new Docker(explicit);
}

/** An agent (unix socket or TLS) whose connections fail with a sentence naming the host after `ms` of silence. */
function silenceLimited<A extends http.Agent>(agent: A, where: string, ms: number): A {
  const open = agent.createConnection.bind(agent);
  agent.createConnection = (options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void) => {
    const socket = open(options, callback);
    if (socket instanceof Socket) {
      socket.setTimeout(ms);
      socket.once('timeout', () => socket.destroy(engineTimeout(where, ms)));
    }
    return socket;
  };
  return agent;
}

/** A key or certificate file's contents, checked for its kind; else a SlipwayError naming the key and path. */
function readPem(key: string, path: string, where: string, check: (pem: Buffer) => unknown, kind: string, hint?: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new SlipwayError('engine_file', `cannot read ${key} ${path} for ${where} (${why}): fix the path in the target or the file's permissions`);
  }
  try {
    check(pem);
  } catch (error) {
    throw new SlipwayError('engine_file', `${key} ${path} for ${where} is not ${kind} (${(error as Error).message})${hint ? `: ${hint}` : ''}`);
  }
  return pem;
}
