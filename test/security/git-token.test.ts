import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneAt } from '../../src/adapters/git/clone.js';
import { remoteHead } from '../../src/adapters/git/remote-head.js';
import { startGitHttpServer } from '../fakes/git-http-server.js';
import { until } from '../helpers/run-watch.js';

// Issue 14, point 9: the clone token must not be on any command line (every local user can read
// /proc/<pid>/cmdline), yet the git host must still get it.

const TOKEN = 'ghp_sec-git-token-must-stay-secret-7f3a';
let dir: string;
let sha: string;

beforeAll(() => {
  return (async () => {
    dir = await mkdtemp(join(tmpdir(), 'sec-git-token-'));
    const bare = join(dir, 'origin.git');
    const work = join(dir, 'work');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    execFileSync('git', ['init', '--quiet', '--initial-branch=main', work]);
    execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '--quiet', '--allow-empty', '-m', 'one'], { cwd: work });
    execFileSync('git', ['push', '--quiet', bare, 'main'], { cwd: work });
    sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: work, encoding: 'utf8' }).trim();
  })();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every process's command line, as any local user sees it. */
async function commandLines(): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const lines = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').then((text) => text.split('\0').join(' '), () => '')));
  return lines.filter(Boolean);
}

/** Watches every command line while `act` runs; answers those that mention `needle` and all that were seen. */
async function watchWhile(act: Promise<unknown>, needle: string): Promise<{ mentioning: string[]; seen: string[] }> {
  let done = false;
  const seen: string[] = [];
  const finished = act.finally(() => {
    done = true;
  });
  while (!done) {
    seen.push(...(await commandLines()));
    await new Promise((r) => setTimeout(r, 20));
  }
  await finished;
  return { mentioning: seen.filter((line) => line.includes(needle)), seen };
}

describe('the clone token never reaches a command line', { timeout: 120_000 }, () => {
  it('a clone against a slow HTTP host authenticates, and no process shows the token', async () => {
    const host = await startGitHttpServer(dir, TOKEN, { delayMs: 700 });
    try {
      const url = `${host.url}/origin.git`;
      const target = join(dir, 'clone');
      const { mentioning, seen } = await watchWhile(cloneAt({ url, sha, dir: target, token: TOKEN }), TOKEN);
      // git ran with the repository on its command line while we looked: the moment was caught.
      expect(seen.some((line) => line.startsWith('git') && line.includes(url))).toBe(true);
      expect(mentioning).toEqual([]);
      expect(seen.some((line) => line.includes(Buffer.from(`x-access-token:${TOKEN}`).toString('base64')))).toBe(false);
      // …and the host still got the token (as a Basic Authorization header), on every request.
      expect(host.requests.length).toBeGreaterThan(0);
      expect(host.requests.every((r) => r.endsWith('authorized'))).toBe(true);
      expect(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: target, encoding: 'utf8' }).trim()).toBe(sha);
    } finally {
      await host.stop();
    }
  });

  it('ls-remote for /deploy does the same', async () => {
    const host = await startGitHttpServer(dir, TOKEN, { delayMs: 500 });
    try {
      const { mentioning } = await watchWhile(
        until(() => remoteHead(`${host.url}/origin.git`, 'main', { token: TOKEN, timeoutMs: 30_000 }), 'the branch head'),
        TOKEN,
      );
      expect(mentioning).toEqual([]);
      expect(host.requests.every((r) => r.endsWith('authorized'))).toBe(true);
      expect(await remoteHead(`${host.url}/origin.git`, 'main', { token: TOKEN, timeoutMs: 30_000 })).toBe(sha);
    } finally {
      await host.stop();
    }
  });

  it('errors still leave the token out', async () => {
    const failure = cloneAt({ url: 'http://127.0.0.1:9/acme/none.git', sha, dir: join(dir, 'failed'), token: TOKEN });
    await expect(failure).rejects.toThrow();
    const message = await failure.catch((error: Error) => error.message);
    expect(message).not.toContain(TOKEN);
    expect(message).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
  });
});
