import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';

describe('embedded Redis', () => {
  it('listens on loopback with its data, append-only, under the given directory and noeviction', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-redis-'));
    const server = await startEmbeddedRedis(join(dir, 'redis'));
    const client = new Redis(server.url);
    try {
      expect(server.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
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

  it('says how to install redis-server when it is missing', async () => {
    await expect(startEmbeddedRedis(join(tmpdir(), 'never'), { bin: 'redis-server-that-does-not-exist' })).rejects.toThrow(
      /redis-server is not installed/,
    );
  });
});
