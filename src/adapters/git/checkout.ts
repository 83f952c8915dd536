import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckoutSource, ReleaseStepResult, SourceCheckout } from '../../core/ports.js';
import type { ReleaseCommit } from '../../core/releases/versioning.js';
import { ATTR, inSpan, SpanKind } from '../../core/tracing.js';
import { cloneAt, commitsBehind, isAncestorOf, removeCheckout } from './clone.js';
import { defaultMirrorRoot } from './mirror.js';
import { commitsSince, pushTag } from './release-git.js';

/**
 * A run's checkout in a temporary directory: a worktree of the repository's mirror (kept across runs, so only
 * new commits are fetched), made on first use and removed when the attempt ends.
 */
export class Checkout implements SourceCheckout {
  private made?: Promise<{ dir: string; mirror: string }>;

  /** `url` is where config says the code is; undefined when it does not say (nothing is cloned then). */
  constructor(
    private readonly source: CheckoutSource,
    private readonly mirrorRoot = defaultMirrorRoot(),
  ) {}

  private get url(): string {
    if (!this.source.url) throw new Error('slipway.yml does not say where this service\'s code is: set cloneUrl for the service (or repo to its URL)');
    return this.source.url;
  }

  sourceDir(): Promise<string> {
    this.made ??= (async () => {
      const url = this.url;
      const dir = await mkdtemp(join(tmpdir(), 'slipway-run-'));
      try {
        // The one fetch from the git host: a span of the stage that first asked for the code.
        const cloned = await inSpan('git fetch', { kind: SpanKind.CLIENT, attributes: { [ATTR.peerService]: 'git' } }, () => cloneAt({ ...this.source, url, dir, mirrorRoot: this.mirrorRoot }));
        return { dir, ...cloned };
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    })();
    return this.made.then(({ dir }) => dir);
  }

  async commitsBehind(branch: string): Promise<number | undefined> {
    return commitsBehind({ url: this.url, token: this.source.token, dir: await this.sourceDir(), branch });
  }

  async isAncestorOf(of: string): Promise<boolean | undefined> {
    return isAncestorOf({ url: this.url, token: this.source.token, dir: await this.sourceDir(), of });
  }

  async commitsSince(from: string | undefined, limit: number): Promise<ReleaseCommit[]> {
    return commitsSince({ url: this.url, token: this.source.token, dir: await this.sourceDir() }, from, limit);
  }

  async pushTag(tag: string): Promise<ReleaseStepResult> {
    const dir = await this.sourceDir();
    return inSpan('git push', { kind: SpanKind.CLIENT, attributes: { [ATTR.peerService]: 'git' } }, () => pushTag({ url: this.url, token: this.source.token, dir }, tag));
  }

  async remove(): Promise<void> {
    if (!this.made) return;
    const made = await this.made.catch(() => undefined);
    if (made) await removeCheckout(made.mirror, made.dir);
  }
}

export const checkoutOf = (source: CheckoutSource): SourceCheckout => new Checkout(source);
