import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const run = promisify(execFile);

/**
 * A second Docker engine standing in for another server, reachable the two ways slipway reaches servers:
 * `tcp://127.0.0.1:PORT` with mutual TLS (certificates made here with openssl) and `ssh://root@127.0.0.1:PORT`
 * through a Debian sshd run in the foreground, whose sessions get `DOCKER_HOST` pointing at this engine so
 * `docker system dial-stdio` reaches it. Everything lives in `dir`; `stop()` leaves nothing running or mounted.
 */
export type RemoteEngine = {
  /** `unix://…`: the engine's own socket, for looking at it directly. */
  socket: string;
  tcp: { host: string; tls: Tls };
  /** An unrelated CA and a client certificate it signed: neither side trusts these. */
  wrongTls: Tls;
  ssh: { host: string; identityFile: string; hostKey: string };
  /** A key sshd does not know. */
  strangerKey: string;
  /** A key sshd accepts but whose session runs a `docker` that is not there (a host without the CLI). */
  noDockerKey: string;
  /** How long the engine and sshd took to answer, in ms. */
  startupMs: number;
  stop(): Promise<void>;
};
type Tls = { ca: string; cert: string; key: string };

export async function startRemoteEngine(dir: string, ports: { tcp: number; ssh: number } = { tcp: 23001, ssh: 23002 }): Promise<RemoteEngine> {
  if (process.getuid?.() !== 0) throw new Error('startRemoteEngine starts dockerd and sshd, which needs root: run the tests as root (as scripts/services.sh does to start its engine)');
  const started = Date.now();
  await mkdir(join(dir, 'engine-data'), { recursive: true });
  await mkdir(join(dir, 'engine-exec'), { recursive: true });
  const [tls, wrongTls, ssh] = await Promise.all([makeTls(dir), makeWrongTls(dir), makeSshKeys(dir)]);
  const socket = `unix://${join(dir, 'docker.sock')}`;

  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => ended(child)));
    // What dockerd mounts and unmounts only when it shuts down cleanly (not when it fails to start or is
    // killed): its network namespace, and its data root bind-mounted onto itself. Unmounted, dir can go.
    for (const mounted of [join(dir, 'engine-exec', 'netns', 'default'), join(dir, 'engine-data')]) {
      await run('umount', [mounted]).catch(() => undefined);
    }
  };
  try {
    const dockerdLog = join(dir, 'dockerd.log');
    children.push(await daemon('dockerd', [
      '--host', socket,
      '--host', `tcp://127.0.0.1:${ports.tcp}`,
      '--tlsverify', '--tlscacert', tls.ca, '--tlscert', join(dir, 'server.pem'), '--tlskey', join(dir, 'server-key.pem'),
      '--data-root', join(dir, 'engine-data'), '--exec-root', join(dir, 'engine-exec'), '--pidfile', join(dir, 'dockerd.pid'),
      // As the first engine: no bridge, no iptables; containers use host networking on loopback.
      '--bridge', 'none', '--iptables=false', '--ip6tables=false',
    ], dockerdLog));
    const engine = new Docker({ socketPath: join(dir, 'docker.sock') });
    await until(() => engine.ping().then(() => true, () => false), children[0]!, dockerdLog, 'dockerd');

    // sshd refuses to start without its privilege separation directory, which only its service unit creates.
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    const config = join(dir, 'sshd_config');
    await writeFile(config, [
      `Port ${ports.ssh}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'ssh_host_ed25519_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      // dir is made by the test under /tmp: sshd's ownership checks of its path would refuse it.
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `SetEnv DOCKER_HOST=${socket}`,
      '',
    ].join('\n'));
    const sshdLog = join(dir, 'sshd.log');
    // sshd re-executes itself per connection, so it needs its absolute path.
    children.push(await daemon('/usr/sbin/sshd', ['-D', '-e', '-f', config], sshdLog));
    await until(() => accepts(ports.ssh), children[1]!, sshdLog, 'sshd');

    return {
      socket,
      tcp: { host: `tcp://127.0.0.1:${ports.tcp}`, tls },
      wrongTls,
      ssh: { host: `ssh://root@127.0.0.1:${ports.ssh}`, identityFile: ssh.client, hostKey: ssh.hostKey },
      strangerKey: ssh.stranger,
      noDockerKey: ssh.noDocker,
      startupMs: Date.now() - started,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA, a server certificate for IP 127.0.0.1 and a client certificate, as `docker --tlsverify` wants them. */
async function makeTls(dir: string): Promise<Tls> {
  await openssl(dir, ['req', '-x509', ...ecKey, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=slipway test CA']);
  await signed(dir, 'server', 'ca', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await signed(dir, 'client', 'ca', '/CN=slipway', 'extendedKeyUsage=clientAuth\n');
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'client.pem'), key: join(dir, 'client-key.pem') };
}

async function makeWrongTls(dir: string): Promise<Tls> {
  await openssl(dir, ['req', '-x509', ...ecKey, '-keyout', 'other-ca-key.pem', '-out', 'other-ca.pem', '-days', '2', '-subj', '/CN=some other CA']);
  await signed(dir, 'other-client', 'other-ca', '/CN=intruder', 'extendedKeyUsage=clientAuth\n');
  return { ca: join(dir, 'other-ca.pem'), cert: join(dir, 'other-client.pem'), key: join(dir, 'other-client-key.pem') };
}

async function signed(dir: string, name: string, ca: string, subject: string, extensions: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(dir, ['req', ...ecKey, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject]);
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
}

/** sshd's host key (and its fingerprint as ssh-keygen prints it), an authorized key, a stranger's, a no-docker one. */
async function makeSshKeys(dir: string) {
  const key = async (name: string) => {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)]);
    return join(dir, name);
  };
  const [host, client, stranger, noDocker] = await Promise.all(['ssh_host_ed25519_key', 'client_ssh_key', 'stranger_ssh_key', 'nodocker_ssh_key'].map(key));
  const { stdout } = await run('ssh-keygen', ['-lf', `${host}.pub`]);
  const hostKey = /SHA256:\S+/.exec(stdout)?.[0];
  if (!hostKey) throw new Error(`ssh-keygen -lf printed no SHA256 fingerprint: ${stdout}`);
  const pub = (path: string) => readFile(`${path}.pub`, 'utf8').then((text) => text.trim());
  // The forced command fails as a host without the docker CLI does: the shell cannot find the program.
  await writeFile(join(dir, 'authorized_keys'), `${await pub(client!)}\ncommand="exec /nonexistent/docker system dial-stdio" ${await pub(noDocker!)}\n`, { mode: 0o600 });
  return { hostKey, client: client!, stranger: stranger!, noDocker: noDocker! };
}

/** Starts a daemon in the foreground with its output in `logFile`. */
async function daemon(command: string, args: string[], logFile: string): Promise<ChildProcess> {
  const log = await open(logFile, 'w');
  try {
    return spawn(command, args, { stdio: ['ignore', log.fd, log.fd] });
  } finally {
    await log.close();
  }
}

/** Waits until `ready()` says so, the daemon exits, or 60 s pass; a failure carries the end of its log. */
async function until(ready: () => Promise<boolean>, child: ChildProcess, logFile: string, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-20).join('\n');
  const state = child.exitCode !== null || child.signalCode !== null ? `exited (${child.exitCode ?? child.signalCode})` : 'did not answer within 60 s';
  throw new Error(`${name} ${state}; its log ends with:\n${tail}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** SIGTERM, then SIGKILL if it is still there after 20 s (dockerd stops its containers and containerd first). */
async function ended(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}
