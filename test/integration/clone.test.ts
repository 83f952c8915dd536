import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
    const workspace = new Checkout({ url: `file://${bare}`, sha: shas[1]! });
    const [a, b] = await Promise.all([workspace.sourceDir(), workspace.sourceDir()]);
    expect(a).toBe(b);
    await workspace.remove();
    await expect(readFile(join(a, 'version'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
