import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { rawRedis } from '../helpers/raw-redis.js';

describe('embedded Redis', () => {
  it('listens on loopback with its data, append-only, under the given directory and noeviction', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-redis-'));
    const server = await startEmbeddedRedis(join(dir, 'redis'));
    const client = new Redis(server.url);
    try {
      expect(server.url).toMatch(/^redis:\/\/:[0-9a-f]{64}@127\.0\.0\.1:\d+$/);
      expect(server.address).toBe(`127.0.0.1:${server.port}`);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await client.config('GET', 'dir')).toEqual(['dir', join(dir, 'redis')]);
      expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
      await client.set('slipway:probe', 'kept');
    } finally {
      client.disconnect();
      await server.stop();
    }

    // The data survives a restart on the same directory: the append-only file is replayed.
    const again = await startEmbeddedRedis(join(dir, 'redis'));
    const reader = new Redis(again.url);
    try {
      expect(await reader.get('slipway:probe')).toBe('kept');
      expect((await readdir(join(dir, 'redis'))).some((f) => f.startsWith('appendonly'))).toBe(true);
    } finally {
      reader.disconnect();
      await again.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('requires the password it keeps in a 0600 file under a 0700 directory, and never shows it in argv', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-redis-'));
    const data = join(dir, 'redis');
    const server = await startEmbeddedRedis(data);
    const client = new Redis(server.url);
    try {
      const password = (await readFile(join(data, 'password'), 'utf8')).trim();
      expect(server.url).toBe(`redis://:${password}@127.0.0.1:${server.port}`);
      expect((await stat(join(data, 'password'))).mode & 0o777).toBe(0o600);
      expect((await stat(data)).mode & 0o777).toBe(0o700);

      await client.set('slipway:probe', 'secret state');
      const [get, keys, auth] = await rawRedis(server.port, ['GET slipway:probe', 'KEYS slipway:*', 'AUTH not-the-password']);
      expect(get).toMatch(/^-NOAUTH/);
      expect(keys).toMatch(/^-NOAUTH/);
      expect(auth).toMatch(/^-WRONGPASS/);

      // What `ps` shows every local user: the process's argv.
      const pid = /process_id:(\d+)/.exec(await client.info('server'))?.[1];
      const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
      expect(argv).toContain('redis-server');
      expect(argv).not.toContain(password);
    } finally {
      client.disconnect();
      await server.stop();
    }

    // A restart on the same data keeps the password: clients holding the URL keep working.
    const again = await startEmbeddedRedis(data);
    try {
      expect(again.url.replace(/:\d+$/, '')).toBe(server.url.replace(/:\d+$/, ''));
    } finally {
      await again.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says how to install redis-server when it is missing', async () => {
    await expect(startEmbeddedRedis(join(tmpdir(), 'never'), { bin: 'redis-server-that-does-not-exist' })).rejects.toThrow(
      /redis-server is not installed/,
    );
  });
});
