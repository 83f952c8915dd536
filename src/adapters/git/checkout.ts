import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckoutSource, SourceCheckout } from '../../core/ports.js';
import { cloneAt, commitsBehind, isAncestorOf } from './clone.js';

/** A run's checkout in a temporary directory: cloned on first use, removed when the attempt ends. */
export class Checkout implements SourceCheckout {
  private dir?: Promise<string>;

  /** `url` is where config says the code is; undefined when it does not say (nothing is cloned then). */
  constructor(private readonly source: CheckoutSource) {}

  private get url(): string {
    if (!this.source.url) throw new Error('slipway.yml does not say where this service\'s code is: set cloneUrl for the service (or repo to its URL)');
    return this.source.url;
  }

  sourceDir(): Promise<string> {
    this.dir ??= (async () => {
      const url = this.url;
      const dir = await mkdtemp(join(tmpdir(), 'slipway-run-'));
      await cloneAt({ ...this.source, url, dir });
      return dir;
    })();
    return this.dir;
  }

  async commitsBehind(branch: string): Promise<number | undefined> {
    return commitsBehind({ url: this.url, token: this.source.token, dir: await this.sourceDir(), branch });
  }

  async isAncestorOf(of: string): Promise<boolean | undefined> {
    return isAncestorOf({ url: this.url, token: this.source.token, dir: await this.sourceDir(), of });
  }

  async remove(): Promise<void> {
    if (!this.dir) return;
    const dir = await this.dir.catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

export const checkoutOf = (source: CheckoutSource): SourceCheckout => new Checkout(source);
