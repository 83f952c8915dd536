import { describe, expect, it } from 'vitest';
import { grantAllows, grantFor } from '../../../src/core/approval-grant.js';
import { failRun, passStage, type Run } from '../../../src/core/run.js';
import { type RetryDeps, retryRun } from '../../../src/intake/retry-run.js';
import { ANN, intakePorts, NOW, sequentialRunIds, services, sha, shopRun, SIGNING_KEY } from './intake-scene.js';

const OLD_ID = 'shop-old';
const DIGEST = `sha256:${'d'.repeat(64)}`;
const RELEASE = { image: '127.0.0.1:5000/shop', tag: 'main-2222222', digest: DIGEST, reused: false };
const BOB = { name: 'bob', username: 'UBOB' };

/** shop's run of Ann's commit that got as far as `failedAt` and failed there, as the worker leaves it. */
function failedRun(failedAt: string, fields: Partial<Run> = {}): Run {
  const run = shopRun(
    {
      id: OLD_ID,
      commits: [{ sha: sha('2'), message: 'Add the discounts page', author: ANN }],
      cloneUrl: 'https://old-mirror.example.com/acme/shop.git',
      source: { host: 'github', fullName: 'acme/shop' },
    },
    new Date(NOW.getTime() - 3600_000),
  );
  const before = run.stages.slice(0, run.stages.findIndex((s) => s.name === failedAt)).reduce((r, s) => passStage(r, s.name, NOW), run);
  return { ...failRun(before, failedAt, 'health check failed', NOW), ...fields };
}

async function scene(old: Run) {
  const ports = intakePorts({ groups: { SRELEASE: ['UDAVE'] } });
  await ports.runs.create(old);
  ports.events.changes.splice(0);
  const deps: RetryDeps = { ...ports, services: services(), newRunId: sequentialRunIds(), now: () => NOW, signingKey: SIGNING_KEY };
  return { ports, deps };
}

describe('retryRun: Retry', () => {
  it('starts a new run of the same commit, planned afresh from today’s config, and queues and announces it', async () => {
    const { ports, deps } = await scene(failedRun('deploy:staging', { release: RELEASE }));

    const answer = await retryRun(OLD_ID, BOB, deps);

    expect(answer).toEqual({ runId: 'shop-r1', first: true });
    const run = await ports.runs.get('shop-r1');
    expect(run).toMatchObject({ trigger: 'retry', retryOf: OLD_ID, sha: sha('2'), branch: 'main', triggeredBy: BOB, author: ANN, status: 'queued' });
    expect(run?.cloneUrl).toBe('https://github.com/acme/shop.git');
    expect(run?.stages.map((s) => s.name)).toEqual(['checkout', 'build', 'push', 'deploy:staging', 'approval:production', 'deploy:production']);
    expect(run?.release).toBeUndefined();
    expect(ports.queue.jobs).toEqual(['shop-r1']);
    expect(ports.events.changes).toEqual(['shop-r1']);
  });

  it('once per failed run: a second click, by anyone, is told the retry already started', async () => {
    const { ports, deps } = await scene(failedRun('build'));
    await retryRun(OLD_ID, BOB, deps);

    const again = await retryRun(OLD_ID, { name: 'carol', username: 'UCAROL' }, deps);

    expect(again).toEqual({ runId: 'shop-r1', first: false });
    expect(ports.queue.jobs).toEqual(['shop-r1']);
    expect(await ports.runs.get('shop-r2')).toBeUndefined();
  });

  it('a Retry of a teardown tears down again', async () => {
    const { ports, deps } = await scene(
      failedRun('deploy:staging', { trigger: 'delete', branch: 'dev/feature-cart', target: { environment: 'shop-0a1b2c3d', ephemeral: true } }),
    );

    await retryRun(OLD_ID, BOB, deps);

    const run = await ports.runs.get('shop-r1');
    expect(run?.trigger).toBe('delete');
    expect(run?.stages.map((s) => s.name)).toEqual(['teardown:shop-0a1b2c3d']);
  });

  it.each([
    ['a run slipway does not know', 'shop-nope', services(), 'run shop-nope is not known (runs are kept 30 days)'],
    ['a run of a service no longer configured', OLD_ID, services().filter((s) => s.name !== 'shop'), 'service shop is no longer in slipway.yml'],
  ])('refuses %s', async (_case, runId, configured, message) => {
    const { ports, deps } = await scene(failedRun('build'));

    await expect(retryRun(runId, BOB, { ...deps, services: configured })).rejects.toThrow(message);
    expect(ports.queue.jobs).toEqual([]);
  });
});

describe('retryRun: Re-run checks (from the failed stage)', () => {
  it('starts from the failed stage with the release it built, rebuilding nothing', async () => {
    const quality = { coverage: 91.5 };
    const { ports, deps } = await scene(failedRun('deploy:staging', { release: RELEASE, quality }));

    const answer = await retryRun(OLD_ID, BOB, deps, { fromFailedStage: true });

    expect(answer).toEqual({ runId: 'shop-r1', first: true });
    const run = await ports.runs.get('shop-r1');
    expect(run?.stages.map((s) => s.name)).toEqual(['deploy:staging', 'approval:production', 'deploy:production']);
    expect(run?.release).toEqual(RELEASE);
    expect(run?.quality).toEqual(quality);
    expect(run?.grants).toBeUndefined();
    expect(ports.queue.jobs).toEqual(['shop-r1']);
  });

  it.each([
    ['a run that did not fail', (): Run => ({ ...failedRun('deploy:production', { release: RELEASE }), status: 'passed', failure: undefined })],
    ['a run that failed before building a release', (): Run => failedRun('build')],
  ])('is refused for %s', async (_case, old) => {
    const { ports, deps } = await scene(old());

    await expect(retryRun(OLD_ID, BOB, deps, { fromFailedStage: true })).rejects.toThrow(`run ${OLD_ID} did not fail after building a release`);
    expect(ports.queue.jobs).toEqual([]);
  });

  it('is once per failed run, apart from a Retry of it', async () => {
    const { ports, deps } = await scene(failedRun('deploy:staging', { release: RELEASE }));

    const rerun = await retryRun(OLD_ID, BOB, deps, { fromFailedStage: true });
    const rerunAgain = await retryRun(OLD_ID, BOB, deps, { fromFailedStage: true });
    const retry = await retryRun(OLD_ID, BOB, deps);

    expect([rerun, rerunAgain, retry]).toEqual([
      { runId: 'shop-r1', first: true },
      { runId: 'shop-r1', first: false },
      { runId: 'shop-r3', first: true },
    ]);
    expect(ports.queue.jobs).toEqual(['shop-r1', 'shop-r3']);
  });
});

describe('retryRun: the approval a re-run takes along', () => {
  const approvedThenFailed = (grantDigest = DIGEST) =>
    failedRun('deploy:production', {
      release: RELEASE,
      grants: [grantFor(SIGNING_KEY, { runId: OLD_ID, environment: 'production', digest: grantDigest }, 'UCAROL', NOW)],
    });

  it.each([
    ['an approver by user id', 'UBOB'],
    ['a member of an approver group', 'UDAVE'],
  ])('asked by %s, carries the grant, signed anew for the new run', async (_case, userId) => {
    const { ports, deps } = await scene(approvedThenFailed());

    await retryRun(OLD_ID, { name: userId.toLowerCase(), username: userId }, deps, { fromFailedStage: true });

    const run = await ports.runs.get('shop-r1');
    expect(run?.stages.map((s) => s.name)).toEqual(['deploy:production']);
    expect(run?.grants).toHaveLength(1);
    expect(grantAllows(SIGNING_KEY, 'shop-r1', run?.grants, 'production', DIGEST)).toBe(true);
    expect(ports.queue.jobs).toEqual(['shop-r1']);
  });

  it('asked by someone who may not approve there, is refused and starts nothing, so an approver still can', async () => {
    const { ports, deps } = await scene(approvedThenFailed());

    await expect(retryRun(OLD_ID, { name: 'eve', username: 'UEVE' }, deps, { fromFailedStage: true })).rejects.toThrow(
      're-running the checks deploys to production on the approval given before, which only an approver there may ask for; ask one, or use Retry to ask for approval again',
    );
    const byApprover = await retryRun(OLD_ID, BOB, deps, { fromFailedStage: true });

    expect(byApprover.first).toBe(true);
    expect(ports.queue.jobs).toEqual([byApprover.runId]);
  });

  it('a grant for another release than the one re-deployed stays behind', async () => {
    const { ports, deps } = await scene(approvedThenFailed(`sha256:${'e'.repeat(64)}`));

    await retryRun(OLD_ID, { name: 'eve', username: 'UEVE' }, deps, { fromFailedStage: true });

    expect((await ports.runs.get('shop-r1'))?.grants).toBeUndefined();
  });
});
