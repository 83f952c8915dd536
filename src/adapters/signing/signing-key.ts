import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SlipwayError } from '../../core/errors.js';

export const SIGNING_KEY_FILE = 'signing.key';

/**
 * The key approvals are signed with. `SLIPWAY_SIGNING_KEY` when set (required when server and worker run on
 * different machines); else a random key kept in `<dataDir>/signing.key` (mode 0600), made once and shared by
 * every slipway process that uses that data dir. Never stored in Redis: that is the point of it.
 */
export async function loadSigningKey(fromEnv: string | undefined, dataDir: string): Promise<{ key: Buffer; source: 'env' | 'file'; path?: string }> {
  if (fromEnv) return { key: Buffer.from(fromEnv, 'utf8'), source: 'env' };
  const path = join(dataDir, SIGNING_KEY_FILE);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const existing = await readKey(path);
  if (existing) return { key: existing, source: 'file', path };
  // Written aside and linked into place: of two processes starting at once, one link wins and both read it.
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(aside, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(aside, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(aside, { force: true });
  }
  const key = await readKey(path);
  if (!key) throw new SlipwayError('SIGNING_KEY', `${path} is empty or unreadable: delete it (pending approvals will need asking again) or set SLIPWAY_SIGNING_KEY`);
  return { key, source: 'file', path };
}

async function readKey(path: string): Promise<Buffer | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return text ? Buffer.from(text, 'utf8') : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
