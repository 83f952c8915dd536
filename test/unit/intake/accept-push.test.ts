import { describe, expect, it } from 'vitest';
import { type AcceptPushDeps, acceptPush } from '../../../src/intake/accept-push.js';
import { ephemeralEnvName } from '../../../src/core/naming.js';
import type { RunQueue, RunStore } from '../../../src/core/ports.js';
import { ZERO_SHA } from '../../../src/core/push-event.js';
import { ANN, intakePorts, monorepoPush, NOW, pushEvent, sequentialRunIds, services, sha } from './intake-scene.js';

function scene(overrides: Partial<AcceptPushDeps> = {}) {
  const ports = intakePorts();
  const deps: AcceptPushDeps = { ...ports, services: services(), newRunId: sequentialRunIds(), now: () => NOW, scrub: (t) => t, ...overrides };
  return { ports, deps };
}

/** `runs` with its `create` replaced: a Redis that refuses or is slow to write the record. */
function withCreate(runs: RunStore, create: RunStore['create']): RunStore {
  return {
    get: (id) => runs.get(id),
    delete: (id) => runs.delete(id),
    listByService: (service, limit) => runs.listByService(service, limit),
    save: (run) => runs.save(run),
    create,
  };
}

describe('acceptPush: a push to a configured branch', () => {
  it('creates one run, queues it and announces it', async () => {
    const { ports, deps } = scene();

    const answer = await acceptPush(pushEvent(), deps);

    expect(answer).toEqual({ status: 202, body: { status: 'queued', runId: 'shop-r1', runIds: ['shop-r1'] } });
    const run = await ports.runs.get('shop-r1');
    expect(run).toMatchObject({
      service: 'shop',
      trigger: 'push',
      branch: 'main',
      sha: sha('2'),
      before: sha('1'),
      status: 'queued',
      deliveryId: 'delivery-1',
      cloneUrl: 'https://github.com/acme/shop.git',
      source: { host: 'github', fullName: 'acme/shop' },
      target: { environment: 'staging', ephemeral: false },
      createdAt: NOW.toISOString(),
    });
    expect(run?.stages.map((s) => s.name)).toEqual(['checkout', 'build', 'push', 'deploy:staging', 'approval:production', 'deploy:production']);
    expect(ports.queue.jobs).toEqual(['shop-r1']);
    expect(ports.events.changes).toEqual(['shop-r1']);
    expect(await ports.pushes.recent('shop', 'main')).toEqual([{ runId: 'shop-r1', sha: sha('2'), before: sha('1') }]);
  });

  it('takes the clone URL from slipway.yml, never from the payload', async () => {
    const { ports, deps } = scene();
    const payloadUrls = ['https://github.com/acme/shop.git', 'https://evil.example.com/acme/shop.git'];

    await acceptPush(pushEvent({ repo: { fullName: 'acme/shop', urls: payloadUrls } }), deps);

    expect((await ports.runs.get('shop-r1'))?.cloneUrl).toBe('https://github.com/acme/shop.git');
  });

  it('scrubs known secrets out of what the pusher wrote', async () => {
    const { ports, deps } = scene({ scrub: (t) => t.replaceAll('hunter2', '[secret]') });
    const leaky = { ...ANN, name: 'Ann hunter2' };

    await acceptPush(pushEvent({ author: leaky, pusher: leaky, commits: [{ sha: sha('2'), message: 'token=hunter2', author: leaky }] }), deps);

    const run = await ports.runs.get('shop-r1');
    expect(JSON.stringify(run)).not.toContain('hunter2');
    expect(run?.commits[0]?.message).toBe('token=[secret]');
    expect(run?.author.name).toBe('Ann [secret]');
    expect(run?.triggeredBy.name).toBe('Ann [secret]');
  });
});

describe('acceptPush: once per push', () => {
  it('a redelivery of the same delivery id gets the first answer and starts nothing', async () => {
    const { ports, deps } = scene();
    const first = await acceptPush(pushEvent(), deps);

    const again = await acceptPush(pushEvent(), deps);

    expect(again).toEqual(first);
    expect(ports.queue.jobs).toEqual(['shop-r1']);
    expect(await ports.runs.listByService('shop')).toHaveLength(1);
    expect(ports.events.changes).toEqual(['shop-r1']);
  });

  it('the same signed push under a new delivery id gets the first answer and starts nothing', async () => {
    const { ports, deps } = scene();
    const first = await acceptPush(pushEvent({ deliveryId: 'delivery-1' }), deps);

    const again = await acceptPush(pushEvent({ deliveryId: 'delivery-2' }), deps);

    expect(again).toEqual(first);
    expect(ports.queue.jobs).toEqual(['shop-r1']);
    expect(await ports.runs.listByService('shop')).toHaveLength(1);
  });

  it('a push that could not be queued is started by its redelivery', async () => {
    const ports = intakePorts();
    let redisDown = true;
    const queue: RunQueue = {
      enqueue: async (run, step) => {
        if (redisDown) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
        await ports.queue.enqueue(run, step);
      },
      remove: (run) => ports.queue.remove(run),
    };
    const deps: AcceptPushDeps = { ...ports, queue, services: services(), newRunId: sequentialRunIds(), now: () => NOW };
    await expect(acceptPush(pushEvent(), deps)).rejects.toThrow(/ECONNREFUSED/);
    redisDown = false;

    const again = await acceptPush(pushEvent(), deps);

    expect(again).toEqual({ status: 202, body: { status: 'queued', runId: 'shop-r2', runIds: ['shop-r2'] } });
    expect(await ports.runs.get('shop-r1')).toBeUndefined();
    expect(ports.queue.jobs).toEqual(['shop-r2']);
  });

  it('a run whose record could not be stored leaves no job and no claim behind', async () => {
    const ports = intakePorts();
    let redisDown = true;
    const runs = withCreate(ports.runs, async (run) => {
      if (redisDown) throw new Error('OOM command not allowed');
      await ports.runs.create(run);
    });
    const deps: AcceptPushDeps = { ...ports, runs, services: services(), newRunId: sequentialRunIds(), now: () => NOW };
    await expect(acceptPush(pushEvent(), deps)).rejects.toThrow(/OOM/);
    const jobsAfterFailure = [...ports.queue.jobs];
    redisDown = false;

    const again = await acceptPush(pushEvent(), deps);

    expect(jobsAfterFailure).toEqual([]);
    expect(again).toEqual({ status: 202, body: { status: 'queued', runId: 'shop-r2', runIds: ['shop-r2'] } });
    expect(ports.queue.jobs).toEqual(['shop-r2']);
  });

  it('a run is queued only once its record is stored: the queue has a Redis connection of its own, so nothing orders the two', async () => {
    const ports = intakePorts();
    const storedWhenQueued: boolean[] = [];
    const queue: RunQueue = {
      enqueue: async (run, step) => {
        storedWhenQueued.push((await ports.runs.get(run.id)) !== undefined);
        await ports.queue.enqueue(run, step);
      },
      remove: (run) => ports.queue.remove(run),
    };
    // A write that takes its time, as one behind a busy connection does.
    const runs = withCreate(ports.runs, async (run) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await ports.runs.create(run);
    });
    const deps: AcceptPushDeps = { ...ports, runs, queue, services: services(), newRunId: sequentialRunIds(), now: () => NOW };

    await acceptPush(pushEvent(), deps);

    expect(storedWhenQueued).toEqual([true]);
  });
});

describe('acceptPush: pushes delivered out of order', () => {
  it('a late delivery of an older push starts nothing, and says which push is newer', async () => {
    const { ports, deps } = scene();
    await acceptPush(pushEvent({ deliveryId: 'd-new', before: sha('2'), after: sha('3') }), deps);

    const late = await acceptPush(pushEvent({ deliveryId: 'd-old', before: sha('1'), after: sha('2') }), deps);

    expect(late).toEqual({
      status: 200,
      body: { status: 'ignored', reason: '2222222 is older than 3333333, already pushed to main (run shop-r1): a late delivery is not deployed over it' },
    });
    expect(ports.queue.jobs).toEqual(['shop-r1']);
    expect(await ports.runs.listByService('shop')).toHaveLength(1);
  });

  it('an even later delivery of a push before that is known to be older through the chain', async () => {
    const { ports, deps } = scene();
    await acceptPush(pushEvent({ deliveryId: 'd-3', before: sha('2'), after: sha('3') }), deps);
    await acceptPush(pushEvent({ deliveryId: 'd-2', before: sha('1'), after: sha('2') }), deps);

    const later = await acceptPush(pushEvent({ deliveryId: 'd-1', before: sha('0'), after: sha('1') }), deps);

    expect(later.body).toMatchObject({ status: 'ignored', reason: expect.stringContaining('1111111 is older than 3333333') });
    expect(ports.queue.jobs).toEqual(['shop-r1']);
  });

  it('a force-push back to an older commit, continuing from the newest, starts a run', async () => {
    const { ports, deps } = scene();
    await acceptPush(pushEvent({ deliveryId: 'd-1', before: sha('1'), after: sha('2') }), deps);
    await acceptPush(pushEvent({ deliveryId: 'd-2', before: sha('2'), after: sha('3') }), deps);

    const back = await acceptPush(pushEvent({ deliveryId: 'd-3', before: sha('3'), after: sha('2') }), deps);

    expect(back.status).toBe(202);
    expect(ports.queue.jobs).toEqual(['shop-r1', 'shop-r2', 'shop-r3']);
  });
});

describe('acceptPush: branch deletion', () => {
  const feature = 'dev/feature-cart';
  const environment = ephemeralEnvName('shop', feature);

  it('tears down the branch’s ephemeral environment with a teardown run, once', async () => {
    const { ports, deps } = scene();
    const deletion = { ref: `refs/heads/${feature}`, before: sha('4'), after: ZERO_SHA, deleted: true, commits: [] };

    const first = await acceptPush(pushEvent({ ...deletion, deliveryId: 'd-1' }), deps);
    const again = await acceptPush(pushEvent({ ...deletion, deliveryId: 'd-2' }), deps);

    expect(first).toEqual({ status: 202, body: { status: 'queued', runId: 'shop-r1', runIds: ['shop-r1'] } });
    expect(again).toEqual(first);
    expect(await ports.runs.get('shop-r1')).toMatchObject({ trigger: 'delete', branch: feature, target: { environment, ephemeral: true } });
    expect((await ports.runs.get('shop-r1'))?.stages.map((s) => s.name)).toEqual([`teardown:${environment}`]);
    expect(ports.queue.jobs).toEqual(['shop-r1']);
  });

  it('a Gogs deletion (no shas) is told apart by its delivery: the branch made and deleted again is torn down again', async () => {
    const { ports, deps } = scene();
    const deletion = { host: 'gogs' as const, ref: `refs/heads/${feature}`, before: ZERO_SHA, after: ZERO_SHA, deleted: true, commits: [] };
    // Gogs has no one public address: slipway clones from where slipway.yml says.
    const gogsDeps = { ...deps, services: services().map((s) => ({ ...s, cloneUrl: 'https://github.com/acme/shop.git' })) };

    await acceptPush(pushEvent({ ...deletion, deliveryId: 'd-1' }), gogsDeps);
    await acceptPush(pushEvent({ ...deletion, deliveryId: 'd-1' }), gogsDeps);
    await acceptPush(pushEvent({ ...deletion, deliveryId: 'd-2' }), gogsDeps);

    expect(ports.queue.jobs).toEqual(['shop-r1', 'shop-r3']);
  });

  it('a push delivered after its branch’s deletion starts nothing; the branch made anew deploys again', async () => {
    const { ports, deps } = scene();
    const branch = { ref: `refs/heads/${feature}` };
    await acceptPush(pushEvent({ ...branch, deliveryId: 'd-1', before: sha('3'), after: sha('4') }), deps);
    await acceptPush(pushEvent({ ...branch, deliveryId: 'd-3', before: sha('5'), after: ZERO_SHA, deleted: true, commits: [] }), deps);

    const late = await acceptPush(pushEvent({ ...branch, deliveryId: 'd-2', before: sha('4'), after: sha('5') }), deps);
    const anew = await acceptPush(pushEvent({ ...branch, deliveryId: 'd-4', before: ZERO_SHA, after: sha('6') }), deps);

    expect(late).toEqual({
      status: 200,
      body: { status: 'ignored', reason: `${feature} was deleted after 5555555 was pushed (run shop-r2): a late delivery does not bring its environment back` },
    });
    expect(anew.status).toBe(202);
    expect(ports.queue.jobs).toEqual(['shop-r1', 'shop-r2', 'shop-r4']);
  });

  it('deleting a branch that deploys to a shared environment starts nothing', async () => {
    const { ports, deps } = scene();

    const answer = await acceptPush(pushEvent({ after: ZERO_SHA, deleted: true, commits: [] }), deps);

    expect(answer).toEqual({ status: 200, body: { status: 'ignored', reason: 'branch main was deleted; staging keeps its release' } });
    expect(ports.queue.jobs).toEqual([]);
  });
});

describe('acceptPush: which services a monorepo push builds (paths)', () => {
  it.each([
    ['a file of api only', ['services/api/index.ts'], ['api']],
    ['a file of web only', ['services/web/page.tsx'], ['web']],
    ['a shared library', ['libs/money.ts'], ['api', 'web']],
    ['files of both', ['services/api/a.ts', 'services/web/b.ts'], ['api', 'web']],
    ['no list of files (the host capped it): nothing can be concluded', undefined, ['api', 'web']],
  ])('a push changing %s starts a run for exactly those services', async (_case, changedFiles, expected) => {
    const { ports, deps } = scene();

    const answer = await acceptPush(monorepoPush(changedFiles), deps);

    const runIds = expected.map((service, i) => `${service}-r${i + 1}`);
    expect(answer).toEqual({ status: 202, body: { status: 'queued', runId: runIds[0], runIds } });
    expect(ports.queue.jobs).toEqual(runIds);
    expect(ports.events.changes).toEqual(runIds);
  });

  it('a push changing no file of any service starts nothing, saying why for each', async () => {
    const { ports, deps } = scene();

    const answer = await acceptPush(monorepoPush(['README.md']), deps);

    expect(answer).toEqual({
      status: 200,
      body: {
        status: 'ignored',
        reason:
          'this push to main changes no file in the paths api is built from (services/api/**, libs/**); this push to main changes no file in the paths web is built from (services/web/**, libs/**)',
      },
    });
    expect(ports.queue.jobs).toEqual([]);
  });

  it('a redelivery under a new id of a monorepo push answers every run it started, and starts none', async () => {
    const { ports, deps } = scene();
    const first = await acceptPush(monorepoPush(['libs/money.ts'], { deliveryId: 'd-1' }), deps);

    const again = await acceptPush(monorepoPush(['libs/money.ts'], { deliveryId: 'd-2' }), deps);

    expect(again).toEqual(first);
    expect(ports.queue.jobs).toEqual(['api-r1', 'web-r2']);
  });
});

describe('acceptPush: pushes slipway does not build', () => {
  it.each([
    ['a repository no service is built from', { repo: { fullName: 'acme/other', urls: ['https://github.com/acme/other.git'] } }, 'no service in slipway.yml is built from acme/other'],
    ['a branch no route takes', { ref: 'refs/heads/experiment' }, 'branch experiment of shop matches no entry in its branches'],
    ['a tag', { ref: 'refs/tags/v1.0.0' }, 'refs/tags/v1.0.0 is not a branch; only branch pushes are deployed'],
  ])('%s is ignored with the reason', async (_case, fields, reason) => {
    const { ports, deps } = scene();

    const answer = await acceptPush(pushEvent(fields), deps);

    expect(answer).toEqual({ status: 200, body: { status: 'ignored', reason } });
    expect(ports.queue.jobs).toEqual([]);
    expect(ports.events.changes).toEqual([]);
  });

  it.each([
    [
      'a payload whose clone URL is another repository’s',
      { repo: { fullName: 'acme/shop', urls: ['https://evil.example.com/acme/shop.git'] } },
      'the push says its clone URL is https://evil.example.com/acme/shop.git, but shop is built from https://github.com/acme/shop (slipway.yml repo): refused',
    ],
    ['a ref git would not accept', { ref: 'refs/heads/a..b' }, 'refs/heads/a..b is not a branch name git accepts'],
  ])('%s is refused (422) with the reason', async (_case, fields, reason) => {
    const { ports, deps } = scene();

    const answer = await acceptPush(pushEvent(fields), deps);

    expect(answer).toEqual({ status: 422, body: { status: 'refused', reason: expect.stringContaining(reason) } });
    expect(ports.queue.jobs).toEqual([]);
  });
});
