import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { chmod, copyFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('../../examples/sample-service', import.meta.url));
const HOOK = fileURLToPath(new URL('../../examples/git-host/post-receive.mjs', import.meta.url));

export type SampleRepo = Awaited<ReturnType<typeof createSampleRepo>>;

/**
 * The sample service in a local bare repository, and a working clone to commit and push from with real git.
 * Once `connect`ed, every push reaches slipway as a signed Gogs webhook from the repository's post-receive hook.
 */
export async function createSampleRepo() {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-git-'));
  const bare = join(dir, 'sample.git');
  const work = join(dir, 'work');
  const url = `file://${bare}`;
  const git = async (cwd: string, ...args: string[]) => (await run('git', args, { cwd })).stdout.trim();

  await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  await cp(FIXTURE, work, { recursive: true });
  await copyFile('/bin/busybox', join(work, 'busybox'));
  // Each repository's content is its own: the engine (and the registry's build cache) keep the layers of earlier
  // runs, and a test that reads what the test step printed needs that step to run, not to come from the cache.
  await writeFile(join(work, '.repository-id'), `${randomUUID()}\n`);
  await git(work, 'init', '--quiet', '--initial-branch=main');
  await git(work, 'config', 'user.name', 'Ann Example');
  await git(work, 'config', 'user.email', 'ann@example.com');
  await git(work, 'remote', 'add', 'origin', url);
  await git(work, 'add', '-A');
  await git(work, 'commit', '--quiet', '-m', 'Sample service v1');

  return {
    url,
    dir,
    /** From now on pushes are sent to `webhookUrl`, signed with `secret`. */
    async connect(webhookUrl: string, secret: string) {
      const hook = join(bare, 'hooks', 'post-receive');
      await writeFile(hook, `#!/bin/sh\nexec "${process.execPath}" "${HOOK}" "${webhookUrl}" "${secret}" "${url}"\n`);
      await chmod(hook, 0o755);
    },
    /** Commits file changes (and removals) on the current branch; returns the new sha. */
    async commit(files: Record<string, string>, message: string, { remove = [] as string[] } = {}): Promise<string> {
      for (const path of remove) await rm(join(work, path));
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(work, path)), { recursive: true });
        await writeFile(join(work, path), content);
      }
      await git(work, 'add', '-A');
      await git(work, 'commit', '--quiet', '-m', message);
      return git(work, 'rev-parse', 'HEAD');
    },
    async checkout(branch: string, { create = false } = {}) {
      await git(work, 'checkout', '--quiet', ...(create ? ['-b'] : []), branch);
    },
    head: () => git(work, 'rev-parse', 'HEAD'),
    /** `git push`; answers slipway's run id as the hook printed it (undefined when it started none). */
    async push(refspec: string): Promise<{ runId?: string; output: string }> {
      const { stderr } = await run('git', ['push', '--quiet', 'origin', refspec], { cwd: work });
      const runId = /"runId":"([^"]+)"/.exec(stderr)?.[1];
      return { runId, output: stderr };
    },
    /** Commits a new version string for the sample app to serve and pushes it to main; the run it started. */
    async pushVersion(version: string): Promise<string> {
      await this.commit({ 'www/version': `${version}\n` }, `Version ${version}`);
      const { runId } = await this.push('main');
      if (!runId) throw new Error('the push started no run');
      return runId;
    },
    async remove() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
