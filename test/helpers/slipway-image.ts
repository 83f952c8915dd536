import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve('.');
const MIRROR_FALLBACK = 'http://deb.debian.org/debian';
const STAND_IN_CA = '/usr/local/share/machine-extra-ca.pem';
const STAND_IN_PREFIX = 'a stand-in for the official Node image, made by test/helpers/slipway-image.ts';
/** Changed whenever the stand-in changes: an engine holding an older one makes it again. */
const STAND_IN = `${STAND_IN_PREFIX} (3: apt and dpkg as in the official slim images)`;
const CLEAN = 'rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true';
const DOCKER_CLEAN = [`DPkg::Post-Invoke { "${CLEAN}"; };`, `APT::Update::Post-Invoke { "${CLEAN}"; };`, 'Dir::Cache::pkgcache "";', 'Dir::Cache::srcpkgcache "";'];
const SLIM_EXCLUDES = [
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/locale/*',
  'path-include=/usr/share/locale/locale.alias',
];

/** The one base image every stage of slipway's Dockerfile starts FROM (`node:<major>-<debian>-slim`). */
export async function dockerfileBase(root = ROOT): Promise<string> {
  const dockerfile = await readFile(join(root, 'Dockerfile'), 'utf8');
  const bases = new Set([...dockerfile.matchAll(/^FROM (\S+)(?: AS \S+)?$/gm)].map((m) => m[1]!).filter((name) => name.includes(':')));
  if (bases.size !== 1) throw new Error(`expected one base image in the Dockerfile, found ${[...bases].join(', ') || 'none'}`);
  return [...bases][0]!;
}

/**
 * No base image can be pulled here, so a stand-in for the official Node image goes under its name, in this engine
 * only: the Debian release the tag names (mmdebstrap, minbase, from this machine's Debian mirror) with this
 * machine's node and npm where the official image has them (/usr/local/bin, /usr/local/lib/node_modules/npm) and
 * its `node` user (uid and gid 1000). Its Node is this machine's (20), not the tag's major: the image test proves
 * the Dockerfile and the code on Node 20. Where this machine's Node trusts extra CAs (NODE_EXTRA_CA_CERTS: an
 * egress proxy's), the stand-in's does too, so the build's `npm ci` reaches the registry as the host does.
 * Made once per engine (about a minute), kept for later runs; an image already under that name (the real one,
 * pulled elsewhere) is used as it is.
 */
export async function ensureNodeBase(base: string, log: (line: string) => void = () => {}): Promise<'present' | 'made'> {
  const comment = await imageComment(base);
  // An image under that name that is not an older stand-in (the real one) is used as it is.
  if (comment !== undefined && (comment === STAND_IN || !comment.startsWith(STAND_IN_PREFIX))) return 'present';
  const suite = /^node:[\w.]+-(\w+?)(?:-slim)?$/.exec(base)?.[1];
  if (!suite) throw new Error(`cannot tell the Debian release of ${base}: expected node:<version>-<release>[-slim]`);
  const node = process.execPath;
  const npm = dirname(dirname(await realpath(join(dirname(node), 'npm'))));
  const dir = await mkdtemp(join(tmpdir(), 'slipway-node-base-'));
  try {
    const rootfs = join(dir, 'rootfs.tar');
    const extraCa = process.env.NODE_EXTRA_CA_CERTS;
    const caHook = extraCa ? [`--customize-hook=copy-in ${extraCa} /usr/local/share`, `--customize-hook=mv "$1/usr/local/share/${basename(extraCa)}" "$1${STAND_IN_CA}"`] : [];
    const caEnv = extraCa ? ['--change', `ENV NODE_EXTRA_CA_CERTS=${STAND_IN_CA}`] : [];
    log(`making ${base}: Debian ${suite} with this machine's node ${process.version}`);
    await run('mmdebstrap', [
      '--variant=minbase', '--mode=root', '--quiet',
      `--customize-hook=copy-in ${node} /usr/local/bin`,
      `--customize-hook=mkdir -p "$1/usr/local/lib/node_modules" && cp -a ${npm} "$1/usr/local/lib/node_modules/npm"`,
      '--customize-hook=ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"',
      '--customize-hook=chroot "$1" groupadd --gid 1000 node && chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node',
      // What Debian's official images set (debuerreotype): apt keeps no .debs or caches, and the slim variants
      // install no docs, man pages or locales. Without it, images built FROM the stand-in measure bigger.
      `--customize-hook=printf '%s\\n' '${DOCKER_CLEAN.join("' '")}' >"$1/etc/apt/apt.conf.d/docker-clean"`,
      ...SLIM_EXCLUDES.map((rule) => `--dpkgopt=${rule}`),
      '--customize-hook=rm -f "$1"/var/cache/apt/*.bin',
      ...caHook,
      suite, rootfs, await debianMirror(),
    ], { maxBuffer: 16 * 1024 * 1024 });
    await run('docker', [
      'import', '--message', STAND_IN,
      '--change', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change', 'CMD ["node"]',
      ...caEnv,
      rootfs, base,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return 'made';
}

/**
 * `docker build` of slipway's own Dockerfile as it is, tagged `tag`: the classic builder (what the engine here
 * has) on the host network, since the engine has no bridge and the apt and npm steps need the network.
 * Fails with the build's last lines.
 */
export async function buildSlipwayImage(tag: string, log: (line: string) => void = () => {}): Promise<void> {
  const lines: string[] = [];
  const build = spawn('docker', ['build', '--network', 'host', '--tag', tag, '.'], {
    cwd: ROOT,
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (/^Step \d+\/\d+ :/.test(line)) log(line);
    }
    if (lines.length > 400) lines.splice(0, lines.length - 200);
  };
  build.stdout.on('data', collect);
  build.stderr.on('data', collect);
  const code = await new Promise<number | null>((done, fail) => build.once('exit', done).once('error', fail));
  if (code !== 0) throw new Error(`docker build of slipway's image failed (exit ${code}):\n${lines.slice(-40).join('\n')}`);
}

/** The engine's record of an image: its config and size, as `docker image inspect` answers it. */
export type ImageRecord = {
  Id: string;
  Size: number;
  Config: { User?: string; Cmd?: string[]; Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number } };
};

export async function inspectImage(reference: string): Promise<ImageRecord> {
  const { stdout } = await run('docker', ['image', 'inspect', reference]);
  return (JSON.parse(stdout) as ImageRecord[])[0]!;
}

/** The image's comment (`docker import --message`), '' when it has none; undefined when the engine lacks it. */
async function imageComment(reference: string): Promise<string | undefined> {
  return run('docker', ['image', 'inspect', '--format', '{{.Comment}}', reference]).then((r) => r.stdout.trim(), () => undefined);
}

/** The first Debian mirror this machine's apt uses (deb822 or one-line sources), else deb.debian.org. */
async function debianMirror(): Promise<string> {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const uri = /^URIs:\s*(\S+)/m.exec(text)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/m.exec(text)?.[1];
    if (uri && !uri.includes('security')) return uri;
  }
  return MIRROR_FALLBACK;
}
