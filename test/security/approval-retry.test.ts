import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisAuditLog } from '../../src/adapters/store/redis-audit-log.js';
import { keys } from '../../src/adapters/store/redis-keys.js';
import { TAMPERED_CAUSE } from '../../src/core/approval-grant.js';
import type { Run } from '../../src/core/run.js';
import { served } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

/**
 * Issue 14, point 3 (c), the retry path: a legitimately approved production deploy fails its health check and
 * someone presses "Re-run checks". The re-run keeps the release and the approval given for it (re-signed for
 * the new run), so the fixed environment gets that digest without asking again. Someone who rewrote the failed
 * run in Redis first (another digest, the grant edited to match) gets a re-run whose deploy is refused.
 */
const SIGNING_SECRET = 'sec-authz-retry-signing-secret';
const [STAGING, PRODUCTION] = [21420, 21421];
const SERVICE = 'secauthzretry';
const BOB = 'U0BOB';

const config = (repoUrl: string) =>
  sampleConfig({ service: SERVICE, repoUrl, tests: true, image: 'sec-authz-retry', channel: '#deploys', approvers: { users: [BOB] }, staging: STAGING, production: PRODUCTION });

const stack = useSlackStack({ config, signingSecret: SIGNING_SECRET });
/** Something else on production's port: the release cannot bind it, and health checks get a 503. */
let blocker: Server | undefined;

beforeAll(async () => {
  blocker = createServer((_req, res) => res.writeHead(503).end('blocked\n'));
  await new Promise<void>((resolve) => blocker!.listen(PRODUCTION, '127.0.0.1', resolve));
}, 60_000);

afterAll(() => {
  blocker?.close();
});

/** A push approved by Bob whose production deploy fails its health check. */
async function approvedButUnhealthy(version: string): Promise<Run> {
  await stack.repo.commit({ 'www/version': `${version}\n` }, `Version ${version}`);
  const { runId } = await stack.repo.push('main');
  if (!runId) throw new Error('the push started no run');
  await stack.watch.settled(runId, { status: 'waiting' });
  await stack.users.click('approve_promotion', await stack.watch.approveValue(runId, 'production'), BOB, 'deploys');
  const run = await stack.watch.settled(runId, { status: 'failed' });
  expect(run.failure?.stage).toBe('deploy:production');
  expect(run.grants?.map((g) => [g.environment, g.digest, g.by])).toEqual([['production', run.release!.digest, BOB]]);
  return run;
}

/** Presses "Re-run checks" on a failed run's alert; answers the new run's id. */
async function rerun(runId: string): Promise<string> {
  const answer = await stack.users.answerTo(BOB, () => stack.users.click('rerun_checks', runId, BOB, 'deploys'));
  const id = new RegExp(`^Re-running the checks of ${runId} as run (\\S+)\\.$`).exec(answer)?.[1];
  if (!id) throw new Error(`unexpected answer: ${answer}`);
  return id;
}

describe('re-running a failed approved production deploy', { timeout: 300_000 }, () => {
  let tampered: Run;

  it('refuses the re-run of a run whose release and grant were rewritten to another approved digest', async () => {
    tampered = await approvedButUnhealthy('t1');
    const other = await approvedButUnhealthy('t2');
    const evil = other.release!.digest;
    expect(evil).not.toBe(tampered.release!.digest);
    // The attacker rewrites the failed run: its release and its grant now name t2's digest (which got through
    // staging and was approved, but for another run).
    const stored = JSON.parse((await stack.slipway.redis.get(keys.run(tampered.id)))!) as Run;
    stored.release!.digest = evil;
    stored.grants = stored.grants!.map((g) => ({ ...g, digest: evil }));
    await stack.slipway.redis.set(keys.run(tampered.id), JSON.stringify(stored));

    const retried = await stack.watch.settled(await rerun(tampered.id), { status: 'failed' });
    expect(retried.grants).toBeUndefined();
    expect(retried.failure).toEqual({ stage: 'deploy:production', cause: TAMPERED_CAUSE });
    const audit = await new RedisAuditLog(stack.slipway.redis).list(SERVICE, 'production', 50);
    expect(audit.filter((e) => e.runId === retried.id && e.action === 'tamper')).toEqual([
      expect.objectContaining({ by: 'slipway', detail: `deploy refused: no valid approval for ${evil}` }),
    ]);
  });

  it('deploys the same approved digest when the environment is fixed, without asking again', async () => {
    const failed = (await stack.slipway.runs.listByService(SERVICE, 100)).find((r) => r.status === 'failed' && r.trigger === 'push' && r.id !== tampered.id)!;
    await new Promise<void>((resolve) => blocker!.close(() => resolve()));
    blocker = undefined;

    // Using an approval again is an approver's call: Ann, who may not approve production, is refused.
    const runsBefore = (await stack.slipway.runs.listByService(SERVICE, 100)).length;
    const refusal = await stack.users.answerTo('U0ANN', () => stack.users.click('rerun_checks', failed.id, 'U0ANN', 'deploys'));
    expect(refusal).toContain('only an approver there may ask for');
    expect((await stack.slipway.runs.listByService(SERVICE, 100)).length).toBe(runsBefore);

    const retried = await stack.watch.settled(await rerun(failed.id), { status: 'passed' });
    expect(retried.stages.map((s) => s.name)).not.toContain('approval:production');
    expect(retried.release?.digest).toBe(failed.release!.digest);
    expect(retried.grants?.map((g) => [g.environment, g.digest, g.by, g.at])).toEqual([['production', failed.release!.digest, BOB, failed.grants![0]!.at]]);
    expect(await served(PRODUCTION)).toBe('t2');
  });
});
