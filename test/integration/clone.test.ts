import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneAt, commitsBehind } from '../../src/adapters/git/clone.js';
import { Checkout } from '../../src/adapters/git/checkout.js';
import { startGitHttpServer } from '../fakes/git-http-server.js';

let dir: string;
let bare: string;
const shas: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-clone-'));
  bare = join(dir, 'origin.git');
  const work = join(dir, 'work');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, encoding: 'utf8' }).trim();
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', work]);
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 'T');
  for (const version of ['one', 'two', 'three']) {
    execFileSync('sh', ['-c', `echo ${version} > version`], { cwd: work });
    git('add', '-A');
    git('commit', '--quiet', '-m', version);
    shas.push(git('rev-parse', 'HEAD'));
  }
  git('push', '--quiet', bare, 'main');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('commitsBehind', () => {
  it('counts the commits of a branch a shallow checkout lacks, and knows no such branch', async () => {
    const target = join(dir, 'behind');
    await cloneAt({ url: `file://${bare}`, sha: shas[0]!, dir: target });
    expect(await commitsBehind({ url: `file://${bare}`, dir: target, branch: 'main' })).toBe(2);
    expect(await commitsBehind({ url: `file://${bare}`, dir: target, branch: 'nope' })).toBeUndefined();
    const head = join(dir, 'at-head');
    await cloneAt({ url: `file://${bare}`, sha: shas[2]!, dir: head });
    expect(await commitsBehind({ url: `file://${bare}`, dir: head, branch: 'main' })).toBe(0);
  });
});

describe('cloneAt', () => {
  it.each([0, 2])('checks out exactly the commit asked for (commit %i), not the branch head', async (i) => {
    const target = join(dir, `clone-${i}`);
    await cloneAt({ url: `file://${bare}`, sha: shas[i]!, dir: target });
    expect(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: target, encoding: 'utf8' }).trim()).toBe(shas[i]);
    expect((await readFile(join(target, 'version'), 'utf8')).trim()).toBe(['one', 'two', 'three'][i]);
  });

  it('says what git said when the commit does not exist', async () => {
    await expect(cloneAt({ url: `file://${bare}`, sha: 'f'.repeat(40), dir: join(dir, 'missing') })).rejects.toThrow(/reference is not a tree|did not match|not our ref|unadvertised/i);
  });

  it('clones over HTTP with the token, and is refused without it', async () => {
    const token = 'ghp_http-clone-token';
    const host = await startGitHttpServer(dir, token);
    try {
      const target = join(dir, 'over-http');
      await cloneAt({ url: `${host.url}/origin.git`, sha: shas[1]!, dir: target, token });
      expect((await readFile(join(target, 'version'), 'utf8')).trim()).toBe('two');
      expect(host.requests.some((r) => r.endsWith('authorized'))).toBe(true);
      expect(execFileSync('git', ['remote'], { cwd: target, encoding: 'utf8' }).trim()).toBe('');

      const refused = cloneAt({ url: `${host.url}/origin.git`, sha: shas[1]!, dir: join(dir, 'no-token') });
      await expect(refused).rejects.toThrow(/Authentication failed|could not read Username|401/);
    } finally {
      await host.stop();
    }
  });

  it('never shows the clone token in an error', async () => {
    const token = 'ghp_secret-token-for-tests';
    const failure = cloneAt({ url: 'http://127.0.0.1:9/acme/none.git', sha: shas[0]!, dir: join(dir, 'token'), token });
    await expect(failure).rejects.toThrow();
    await expect(failure).rejects.not.toThrow(token);
  });
});

describe('Checkout', () => {
  it('clones once however often it is asked, and removes its directory', async () => {
    const workspace = new Checkout({ url: `file://${bare}`, sha: shas[1]! }, join(dir, 'mirrors-once'));
    const [a, b] = await Promise.all([workspace.sourceDir(), workspace.sourceDir()]);
    expect(a).toBe(b);
    await workspace.remove();
    await expect(readFile(join(a, 'version'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('Checkout from a mirror kept per repository', () => {
  const inMirror = (mirror: string, ...args: string[]) => execFileSync('git', args, { cwd: mirror, encoding: 'utf8' }).trim();
  const mirrorsIn = async (root: string) => (await readdir(root)).filter((name) => name.endsWith('.git')).map((name) => join(root, name));

  it('reuses one mirror across runs of a repository, and leaves no worktree behind', async () => {
    // Arrange
    const root = await mkdtemp(join(dir, 'mirrors-reuse-'));
    const first = new Checkout({ url: `file://${bare}`, sha: shas[0]! }, root);
    const second = new Checkout({ url: `file://${bare}`, sha: shas[2]! }, root);

    // Act
    const firstDir = await first.sourceDir();
    await first.remove();
    const secondDir = await second.sourceDir();

    // Assert
    const mirrors = await mirrorsIn(root);
    expect(mirrors).toHaveLength(1);
    expect(inMirror(mirrors[0]!, 'cat-file', '-t', shas[0]!)).toBe('commit');
    expect((await readFile(join(secondDir, 'version'), 'utf8')).trim()).toBe('three');
    await second.remove();
    await expect(readFile(join(firstDir, 'version'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(join(secondDir, 'version'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(inMirror(mirrors[0]!, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '))).toHaveLength(1);
  });

  it('keeps one mirror per token: a run with another token asks the server, which refuses it', async () => {
    // Arrange
    const token = 'ghp_mirror-token';
    const host = await startGitHttpServer(dir, token);
    const root = await mkdtemp(join(dir, 'mirrors-token-'));
    try {
      const url = `${host.url}/origin.git`;
      await new Checkout({ url, sha: shas[1]!, token }, root).sourceDir();

      // Act
      const other = new Checkout({ url, sha: shas[1]!, token: 'ghp_wrong' }, root);

      // Assert
      await expect(other.sourceDir()).rejects.toThrow(/Authentication failed|could not read Username|401/);
      expect(await mirrorsIn(root)).toHaveLength(2);
    } finally {
      await host.stop();
    }
  });

  it('gives concurrent runs of one repository, from a fresh mirror, each its own commit, and the mirror stays sound', async () => {
    // Arrange
    const root = await mkdtemp(join(dir, 'mirrors-concurrent-'));
    const picks = [0, 1, 2, 2, 1, 0];
    const checkouts = picks.map((i) => new Checkout({ url: `file://${bare}`, sha: shas[i]! }, root));

    // Act
    const dirs = await Promise.all(checkouts.map((c) => c.sourceDir()));

    // Assert
    const versions = await Promise.all(dirs.map(async (d) => (await readFile(join(d, 'version'), 'utf8')).trim()));
    expect(versions).toEqual(picks.map((i) => ['one', 'two', 'three'][i]));
    const mirrors = await mirrorsIn(root);
    expect(mirrors).toHaveLength(1);
    await Promise.all(checkouts.map((c) => c.remove()));
    expect(() => inMirror(mirrors[0]!, 'fsck', '--no-dangling')).not.toThrow();
    expect(inMirror(mirrors[0]!, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '))).toHaveLength(1);
  });

  it('follows a force-pushed branch: the new commit is checked out, the old one is no longer its ancestor', async () => {
    // Arrange: a branch with one commit, checked out once, then rewritten and force-pushed.
    const root = await mkdtemp(join(dir, 'mirrors-force-'));
    const work = await mkdtemp(join(dir, 'force-work-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd: work, encoding: 'utf8' }).trim();
    git('clone', '--quiet', bare, '.');
    git('checkout', '--quiet', '-b', 'topic');
    await writeFile(join(work, 'version'), 'topic one\n');
    git('commit', '--quiet', '-am', 'topic one');
    const before = git('rev-parse', 'HEAD');
    git('push', '--quiet', 'origin', 'topic');
    const earlier = new Checkout({ url: `file://${bare}`, sha: before }, root);
    await earlier.sourceDir();
    await earlier.remove();
    await writeFile(join(work, 'version'), 'topic rewritten\n');
    git('commit', '--quiet', '--amend', '-am', 'topic rewritten');
    const after = git('rev-parse', 'HEAD');
    git('push', '--quiet', '--force', 'origin', 'topic');

    // Act
    const later = new Checkout({ url: `file://${bare}`, sha: after }, root);
    const laterDir = await later.sourceDir();

    // Assert
    expect((await readFile(join(laterDir, 'version'), 'utf8')).trim()).toBe('topic rewritten');
    expect(await later.isAncestorOf(before)).toBe(false);
    expect(await later.commitsBehind('main')).toBe(0);
    await later.remove();
  });
});
