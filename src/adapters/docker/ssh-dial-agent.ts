import { createHash } from 'node:crypto';
import { Agent, type ClientRequestArgs } from 'node:http';
import { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import { dialStdioFailed, engineTimeout, hostKeyMismatch, sshClosedEarly } from './engine-errors.js';

export type SshDial = {
  /** For messages: `ssh://user@host:port`. */
  where: string;
  host: string;
  port: number;
  username: string;
  /** The private key (unencrypted), else `agent`. */
  privateKey?: Buffer;
  /** An ssh agent's socket (`SSH_AUTH_SOCK`). */
  agent?: string;
  /** The pinned host key, `SHA256:…` as `ssh-keygen -lf` prints it. */
  hostKey: string;
  /** The ssh handshake, and any silence of the engine afterwards, may last this long. */
  timeoutMs: number;
};

/** `SHA256:…` as `ssh-keygen -lf` prints it: the SHA-256 of the public key blob, base64 without padding. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type a public key blob starts with (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`). */
function keyType(keyBlob: Buffer): string {
  const length = keyBlob.length >= 4 ? keyBlob.readUInt32BE(0) : 0;
  return keyBlob.subarray(4, 4 + Math.min(length, 64)).toString('latin1');
}

/**
 * An HTTP agent whose every connection is `docker system dial-stdio` run over ssh on the far host, as the
 * docker CLI does for `DOCKER_HOST=ssh://…`. Used instead of docker-modem's own ssh transport, which crashes
 * the process when a timeout is set (it calls `setTimeout` on the ssh channel), drops the remote command's
 * stderr, cannot say which host key it refused, and lets `DOCKER_HOST`'s ssh options override ours.
 * One ssh connection per HTTP connection, no keep-alive: the connection ends when its request does.
 */
export class SshDialAgent extends Agent {
  constructor(private readonly dial: SshDial) {
    // sshd drops some of more than 10 connections still logging in at once (MaxStartups 10:30:100).
    super({ keepAlive: false, maxSockets: 8 });
  }

  override createConnection(_request: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | undefined {
    openDialStdio(this.dial).then(
      (stream) => callback?.(null, stream),
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

function openDialStdio(dial: SshDial): Promise<DialStdioStream> {
  const client = new ssh2.Client();
  let shown: string | undefined;
  let shownType = '';
  let stream: DialStdioStream | undefined;
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      client.end();
      if (stream) stream.destroy(error);
      else reject(error);
    };
    client.on('error', (error: Error & { level?: string }) => {
      if (shown && shown !== dial.hostKey) fail(hostKeyMismatch(dial.where, shown, shownType, dial.hostKey));
      else if (error.level === 'client-timeout') fail(engineTimeout(dial.where, dial.timeoutMs));
      else fail(error);
    });
    // Settles nothing once ready or failed; before that, a silent close is the server hanging up on us.
    client.on('close', () => reject(sshClosedEarly(dial.where)));
    client.once('ready', () => {
      client.exec('docker system dial-stdio', (error, channel) => {
        if (error) return fail(error);
        stream = new DialStdioStream(channel, () => client.end(), dial);
        resolve(stream);
      });
    });
    try {
      client.connect({
        host: dial.host,
        port: dial.port,
        username: dial.username,
        privateKey: dial.privateKey,
        agent: dial.agent,
        readyTimeout: dial.timeoutMs,
        // Fail closed: only the pinned key is accepted, and what was shown goes into the refusal.
        hostVerifier: (key: Buffer) => {
          shown = sshFingerprint(key);
          shownType = keyType(key);
          return shown === dial.hostKey;
        },
      });
    } catch (error) {
      fail(error as Error);
    }
  });
}

/**
 * The ssh channel as the HTTP client's socket. Its end waits for the remote command's exit status, so a
 * `docker` that is missing or cannot reach the engine there fails the request with its own words instead of
 * "socket hang up"; an engine silent for longer than the timeout fails it with a sentence naming the host.
 */
class DialStdioStream extends Duplex {
  private stderr = '';
  private exit: string | undefined;
  private readonly idle: NodeJS.Timeout;

  constructor(
    private readonly channel: ssh2.ClientChannel,
    private readonly hangUp: () => void,
    dial: SshDial,
  ) {
    super();
    this.idle = setTimeout(() => this.destroy(engineTimeout(dial.where, dial.timeoutMs)), dial.timeoutMs);
    channel.on('data', (chunk: Buffer) => {
      this.idle.refresh();
      if (!this.push(chunk)) channel.pause();
    });
    channel.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-2000);
    });
    channel.on('exit', (code: number | null, signal?: string) => {
      if (code !== 0) this.exit = signal ? `killed by ${signal}` : `exit ${code}`;
    });
    channel.on('error', (error: Error) => this.destroy(error));
    channel.on('close', () => {
      if (this.exit) this.destroy(dialStdioFailed(dial.where, this.exit, this.stderr));
      else this.push(null);
    });
  }

  override _read(): void {
    this.channel.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.idle.refresh();
    this.channel.write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.channel.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idle);
    this.channel.destroy();
    this.hangUp();
    callback(error);
  }
}
