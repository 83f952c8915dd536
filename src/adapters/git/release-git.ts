import { isFullSha } from '../../core/ref-name.js';
import type { ReleaseStepResult } from '../../core/ports.js';
import type { ReleaseCommit } from '../../core/releases/versioning.js';
import { runGit } from './run-git.js';

type InCheckout = { url: string; token?: string; dir: string };

// Fields split by a unit separator, commits by a record separator: a message may hold anything else.
const FORMAT = '%H%x1f%an%x1f%ae%x1f%B%x1e';

// A remote that does not answer fails the step (the deploy stands; the thread says so).
const git = ({ url, token, dir }: InCheckout, ...args: string[]) => runGit(args, { cwd: dir, url, token, timeoutMs: 120_000 });

/**
 * The commits after `from` up to the checkout's HEAD, newest first, from the mirror's history (the pushes'
 * own lists do not span several pushes). `from` missing from the mirror is fetched first; one the repository
 * no longer has (history rewritten) gives the last `limit` commits.
 */
export async function commitsSince(checkout: InCheckout, from: string | undefined, limit: number): Promise<ReleaseCommit[]> {
  let range = ['HEAD'];
  if (from !== undefined && isFullSha(from)) {
    const has = () => git(checkout, 'cat-file', '-e', `${from}^{commit}`).then(() => true, () => false);
    if (!(await has())) await git(checkout, 'fetch', '--quiet', '--no-write-fetch-head', '--', checkout.url, from).catch(() => '');
    if (await has()) range = [`${from}..HEAD`];
  }
  const out = await git(checkout, 'log', `--max-count=${limit}`, `--format=${FORMAT}`, ...range, '--');
  return out
    .split('\x1e')
    .map((record) => record.replace(/^\n/, ''))
    .filter((record) => record.length > 0)
    .map((record) => {
      const [sha = '', name = '', email = '', message = ''] = record.split('\x1f');
      return { sha, message: message.trim(), author: { name, ...(email ? { email } : {}) } };
    });
}

/**
 * Pushes `tag` on the checkout's HEAD to the repository with the clone credentials. A tag the repository
 * has on the same commit is success (a retry); on another commit it is an error naming both.
 */
export async function pushTag(checkout: InCheckout, tag: string): Promise<ReleaseStepResult> {
  const head = (await git(checkout, 'rev-parse', 'HEAD')).trim();
  const existing = await remoteTag(checkout, tag);
  if (existing === head) return 'existed';
  if (existing) throw new Error(`the repository has tag ${tag} on ${existing.slice(0, 7)} already, not on ${head.slice(0, 7)}`);
  try {
    await git(checkout, 'push', '--quiet', '--no-verify', '--', checkout.url, `${head}:refs/tags/${tag}`);
    return 'created';
  } catch (error) {
    // Pushed by another attempt in the meantime: the same commit is fine.
    if ((await remoteTag(checkout, tag).catch(() => undefined)) === head) return 'existed';
    throw error;
  }
}

/** The commit a tag points at in the repository (peeled), or undefined when there is no such tag. */
async function remoteTag(checkout: InCheckout, tag: string): Promise<string | undefined> {
  const out = await git(checkout, 'ls-remote', '--tags', '--', checkout.url, `refs/tags/${tag}`, `refs/tags/${tag}^{}`);
  const lines = out.trim().split('\n').filter(Boolean).map((l) => l.split(/\s+/));
  const peeled = lines.find(([, ref]) => ref === `refs/tags/${tag}^{}`) ?? lines.find(([, ref]) => ref === `refs/tags/${tag}`);
  return peeled?.[0];
}
