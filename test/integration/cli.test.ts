import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const MAIN = resolve('dist/src/main.js');
const exec = promisify(execFile);

/** The built CLI as a process (dist/ is built by the global setup); help and version never start slipway. */
async function slipway(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [MAIN, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the slipway command line', () => {
  it.each([[[]], [['server']], [['worker']]])('slipway %j --help prints its usage on stdout and exits 0', async (args) => {
    const result = await slipway(...args, '--help');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^usage: slipway ${args[0] ?? '\\[server\\|worker\\]'}`));
  });

  it.each([[['--version']], [['-v']], [['worker', '--version']]])('slipway %j prints the version from package.json', async (args) => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(await slipway(...args)).toEqual({ code: 0, stdout: `slipway ${version}\n`, stderr: '' });
  });

  it('suggests the nearest subcommand for a mistyped one, and exits 1', async () => {
    const result = await slipway('wroker');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('slipway has no subcommand "wroker"; did you mean "slipway worker"?');
    expect(result.stderr).toContain('usage: slipway [server|worker]');
    expect(result.stdout).toBe('');
  });

  it('names an unknown option', async () => {
    const result = await slipway('--port', '80');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Unknown option '--port'/);
  });
});
