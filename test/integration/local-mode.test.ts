import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localUserName } from '../../src/adapters/console/console-chat.js';
import { removeContainersOf } from '../helpers/containers.js';
import { served, until } from '../helpers/run-watch.js';

const MAIN = resolve('dist/src/main.js');
let cwd: string;

afterAll(async () => {
  await removeContainersOf('hello');
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

describe('local mode', { timeout: 180_000 }, () => {
  it('runs the whole flow from piped input: push → stages → approval chosen in the console → production', async () => {
    cwd = await mkdtemp(join(tmpdir(), 'slipway-local-'));
    const { REDIS_URL: _r, SLIPWAY_CONFIG: _c, SLACK_BOT_TOKEN: _t, ...inherited } = process.env;
    const child = spawn(process.execPath, [MAIN], { cwd, env: { ...inherited, PORT: '0' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', () => {});
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const type = (line: string) => child.stdin.write(`${line}\n`);
    const seen = (pattern: RegExp, what: string) => until(async () => pattern.exec(out) ?? undefined, what, 120_000);

    try {
      await seen(/The sample service lives in/, 'the banner');
      type('/slipway status');
      await seen(/hello: staging -, production -|\*hello\*|hello · #hello/, 'the status');

      type('push Make the greeting friendlier');
      await seen(/slipway: 202 \{"status":"queued","runId":"hello-[a-z0-9]+"/, 'the webhook answer');
      await seen(/waiting for approval/, 'the run to reach its gate');
      expect(out).toMatch(/✔ test \d+s — 3 passed/);
      expect(out).toMatch(/✔ deploy:staging \d+s — http:\/\/127\.0\.0\.1:8180/);
      await seen(/Promote hello to production\?/, 'the approval card');
      const version = await served(8180);
      expect(version).toMatch(/^local-\d+$/);

      await seen(/\[\d+\] Approve/, 'the Approve choice');
      const approve = [...out.matchAll(/\[(\d+)\] Approve/g)].at(-1)?.[1];
      expect(approve).toBeDefined();
      type(approve!);
      // The console names its own user in mentions (as the system knows them), not as <@ULOCAL>.
      await seen(new RegExp(`Approved by @${localUserName()}`), 'the card to say approved');
      expect(out).not.toContain('<@ULOCAL>');
      await until(async () => (await served(8181).catch(() => '')) === version ? true : undefined, 'production to serve the same version', 120_000);
      await seen(/hello main @ [0-9a-f]{7}: passed|— ✔ passed/, 'the run to pass');

      type('/slipway history production');
      await seen(new RegExp(`production \`main-[0-9a-f]{7}\` — succeeded \\(@${localUserName()}`), 'the history');
    } catch (error) {
      process.stderr.write(`--- local mode output ---\n${out.slice(-6000)}\n`);
      throw error;
    } finally {
      child.stdin.end();
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
