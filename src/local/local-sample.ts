import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseConfig } from '../config.js';
import type { SlipwayConfig } from '../core/config-schema.js';
import { CONSOLE_USER } from '../intake/console.js';

const run = promisify(execFile);

/** The repository root, found from this file whether it runs from src/ (tests) or dist/src/ (npm start). */
async function projectRoot(): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (await exists(join(dir, 'examples', 'sample-service'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find examples/sample-service next to slipway');
    dir = parent;
  }
}

const exists = (path: string) => stat(path).then(() => true, () => false);

export type LocalSample = {
  config: SlipwayConfig;
  /** The secret its post-receive hook signs webhooks with (GOGS_WEBHOOK_SECRET). */
  secret: string;
  /** Points the hook at slipway, once it listens. */
  connect(webhookUrl: string): Promise<void>;
  /** Commits a change to the sample and pushes it, as a developer would; answers what the git host said. */
  push(message: string): Promise<string>;
};

/**
 * Local mode's sample service: `examples/sample-service` in a bare repository under `<dataDir>/sample`, with a
 * working copy to push from and a post-receive hook that sends Gogs webhooks. Made once, kept across starts.
 */
export async function prepareLocalSample(dataDir: string, registry = '127.0.0.1:5000'): Promise<LocalSample> {
  const root = await projectRoot();
  const dir = resolve(dataDir, 'sample');
  const bare = join(dir, 'sample.git');
  const work = join(dir, 'work');
  const url = `file://${bare}`;
  const git = async (...args: string[]) => (await run('git', args, { cwd: work })).stdout.trim();

  if (!(await exists(bare))) {
    await mkdir(dir, { recursive: true });
    await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    await cp(join(root, 'examples', 'sample-service'), work, { recursive: true });
    // The sample's image is FROM scratch with busybox in it: no base image can be pulled where slipway may run.
    if (!(await exists('/bin/busybox'))) {
      throw new Error('local mode builds its sample service with /bin/busybox, and this machine has none: install busybox-static (Debian), or give slipway a slipway.yml with your own services');
    }
    await copyFile('/bin/busybox', join(work, 'busybox'));
    await git('init', '--quiet', '--initial-branch=main');
    await git('config', 'user.name', 'Local Developer');
    await git('config', 'user.email', 'dev@localhost');
    await git('remote', 'add', 'origin', url);
    await git('add', '-A');
    await git('commit', '--quiet', '-m', 'The sample service');
    await git('push', '--quiet', 'origin', 'main');
  }
  const secretFile = join(dir, 'webhook-secret');
  if (!(await exists(secretFile))) await writeFile(secretFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const secret = (await readFile(secretFile, 'utf8')).trim();

  const config = parseConfig(`
services:
  hello:
    repo: ${url}
    testTarget: test
    buildTarget: app
    reports:
      coverage: { path: /app/coverage/lcov.info, format: lcov }
      junit: /app/reports/junit.xml
    image: ${registry}/slipway-hello
    network: host   # the local engine has no bridge network (scripts/services.sh)
    channel: "#hello"
    approvers: { users: [${CONSOLE_USER}] }
    environments:
      - { name: staging, port: 8180, healthTimeoutSeconds: 20 }
      # Locally you are author and approver at once.
      - { name: production, port: 8181, requireApproval: true, allowSelfApproval: true, healthTimeoutSeconds: 20 }
`, 'the local sample config');

  return {
    config,
    secret,
    async connect(webhookUrl) {
      const hook = join(bare, 'hooks', 'post-receive');
      const script = join(root, 'examples', 'git-host', 'post-receive.mjs');
      await writeFile(hook, `#!/bin/sh\nexec "${process.execPath}" "${script}" "${webhookUrl}" "${secret}" "${url}"\n`);
      await chmod(hook, 0o755);
    },
    async push(message) {
      await writeFile(join(work, 'www', 'version'), `local-${Date.now()}\n`);
      await git('commit', '--quiet', '-am', message);
      const { stderr } = await run('git', ['push', '--quiet', 'origin', 'main'], { cwd: work });
      return stderr.split('\n').map((l) => l.replace(/^remote:\s*/, '')).filter(Boolean).join('\n') || 'pushed';
    },
  };
}
