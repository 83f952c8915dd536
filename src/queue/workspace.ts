import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloneAt, commitsBehind } from '../adapters/git/clone.js';

/** A run's checkout: cloned on first use, removed when the attempt ends. */
export class Workspace {
  private dir?: Promise<string>;

  constructor(private readonly source: { url: string; sha: string; token?: string }) {}

  sourceDir(): Promise<string> {
    this.dir ??= (async () => {
      const dir = await mkdtemp(join(tmpdir(), 'slipway-run-'));
      await cloneAt({ ...this.source, dir });
      return dir;
    })();
    return this.dir;
  }

  async commitsBehind(branch: string): Promise<number | undefined> {
    return commitsBehind({ url: this.source.url, token: this.source.token, dir: await this.sourceDir(), branch });
  }

  async remove(): Promise<void> {
    if (!this.dir) return;
    const dir = await this.dir.catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
