import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSecrets } from '../../../../src/adapters/secrets/read-secrets.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-secrets-'));
  await writeFile(join(dir, 'stripe'), 'sk_test_51abc\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readSecrets', () => {
  it('reads values from slipway’s environment and from files (one trailing newline dropped)', async () => {
    const read = await readSecrets({ DATABASE_URL: { env: 'SHOP_DB' }, STRIPE_KEY: { file: join(dir, 'stripe') } }, { SHOP_DB: 'postgres://u:p@db/shop' });
    expect(read).toEqual({ ok: true, values: { DATABASE_URL: 'postgres://u:p@db/shop', STRIPE_KEY: 'sk_test_51abc' } });
  });

  it('names every missing secret and where it looked, and never a value', async () => {
    const read = await readSecrets(
      { DATABASE_URL: { env: 'SHOP_DB' }, STRIPE_KEY: { file: join(dir, 'missing') }, TOKEN: { env: 'SHOP_TOKEN' } },
      { SHOP_TOKEN: 'tok-1234567' },
    );
    expect(read).toEqual({
      ok: false,
      cause: `secrets DATABASE_URL (SHOP_DB is not set in slipway's environment), STRIPE_KEY (cannot read ${join(dir, 'missing')}: ENOENT) are missing; nothing was changed`,
    });
    expect(JSON.stringify(read)).not.toContain('tok-1234567');
  });

  it('says one missing secret in the singular', async () => {
    expect(await readSecrets({ A: { env: 'NOPE' } }, {})).toEqual({ ok: false, cause: "secret A (NOPE is not set in slipway's environment) is missing; nothing was changed" });
  });
});
