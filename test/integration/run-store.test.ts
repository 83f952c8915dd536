import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { closeRedis, connectRedis, waitForRedis } from '../../src/adapters/redis/redis-connection.js';
import { RedisOnceStore } from '../../src/adapters/store/redis-once-store.js';
import { RedisRunStore } from '../../src/adapters/store/redis-run-store.js';
import { newRun } from '../../src/core/run.js';

let dir: string;
let server: EmbeddedRedis;
let redis: ReturnType<typeof connectRedis>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-store-'));
  server = await startEmbeddedRedis(dir);
  redis = connectRedis(server.url);
  await waitForRedis(redis);
});
afterAll(async () => {
  await closeRedis(redis);
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

const run = (id: string, service: string, at: string) =>
  newRun(
    {
      id,
      service,
      trigger: 'push',
      branch: 'main',
      sha: 'a'.repeat(40),
      author: { name: 'Ann', email: 'ann@example.com' },
      triggeredBy: { name: 'ann' },
      commits: [],
      cloneUrl: 'file:///srv/git/discounts.git',
      target: { environment: 'staging', ephemeral: false },
      stages: ['checkout', 'deploy:staging'],
    },
    new Date(at),
  );

describe('RedisRunStore', () => {
  it('reads a run back by id, with its stages pending', async () => {
    const store = new RedisRunStore(redis);
    await store.create(run('discounts-one', 'discounts', '2026-11-01T10:00:00Z'));
    expect(await store.get('discounts-one')).toMatchObject({
      id: 'discounts-one',
      status: 'queued',
      stages: [{ name: 'checkout', status: 'pending' }, { name: 'deploy:staging', status: 'pending' }],
    });
    expect(await store.get('discounts-none')).toBeUndefined();
  });

  it('lists a service’s runs newest first, and only that service’s', async () => {
    const store = new RedisRunStore(redis);
    await store.create(run('shop-old', 'shop', '2026-11-01T10:00:00Z'));
    await store.create(run('shop-new', 'shop', '2026-11-02T10:00:00Z'));
    await store.create(run('cart-x', 'cart', '2026-11-03T10:00:00Z'));
    expect((await store.listByService('shop')).map((r) => r.id)).toEqual(['shop-new', 'shop-old']);
    expect((await store.listByService('shop', 1)).map((r) => r.id)).toEqual(['shop-new']);
    await store.delete('shop-new');
    expect((await store.listByService('shop')).map((r) => r.id)).toEqual(['shop-old']);
  });

  it('keeps its keys under slipway:', async () => {
    expect((await redis.keys('*')).every((k) => k.startsWith('slipway:'))).toBe(true);
  });
});

describe('RedisOnceStore', () => {
  it('lets exactly one of many racing claims win and tells the others what it stored', async () => {
    const once = new RedisOnceStore(redis);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => once.claim('race', `claim-${i}`, 60)));
    const winners = answers.filter((a) => a === undefined);
    expect(winners).toHaveLength(1);
    const stored = answers.find((a) => a !== undefined);
    expect(answers.filter((a) => a !== undefined).every((a) => a === stored)).toBe(true);
    await once.forget('race');
    expect(await once.claim('race', 'again', 60)).toBeUndefined();
  });
});
