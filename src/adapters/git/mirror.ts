import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from './run-git.js';

/**
 * Where mirrors live unless told: private to this user, since a run checks out whatever a mirror holds (and
 * git runs a repository's hooks): another local user must not be able to plant one.
 */
export const defaultMirrorRoot = () => join(tmpdir(), `slipway-git-mirrors-${process.getuid?.() ?? 'user'}`);

async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { uid, mode } = await stat(dir);
  const mine = process.getuid === undefined || uid === process.getuid();
  if (!mine || (mode & 0o022) !== 0) throw new Error(`refusing to keep git mirrors in ${dir}: it must belong to this user and be writable by no one else`);
}

/**
 * The bare repository that keeps what earlier runs fetched from `url`, so a run fetches only the commits it
 * lacks. One per URL and token: a token must not reach commits fetched with another one. Created whole in a
 * temporary directory and renamed into place, so concurrent first runs (of any process) never see half of one.
 */
export async function mirrorOf(root: string, url: string, token: string | undefined): Promise<string> {
  await privateDir(root);
  const key = createHash('sha256').update(`${url}\n${token ?? ''}`).digest('hex').slice(0, 32);
  const dir = join(root, `${key}.git`);
  if (await stat(dir).then(() => true, () => false)) return dir;
  const fresh = await mkdtemp(join(root, 'new-'));
  await runGit(['init', '--quiet', '--bare', '--', fresh]);
  // No automatic gc: a prune could take objects a concurrent run has fetched but not yet checked out.
  await runGit(['config', 'gc.auto', '0'], { cwd: fresh });
  try {
    await rename(fresh, dir);
  } catch (error) {
    // Another run made it first: use theirs.
    await rm(fresh, { recursive: true, force: true });
    if (!(await stat(dir).then(() => true, () => false))) throw error;
  }
  return dir;
}
