import { describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { RedisApprovalStore } from '../../src/adapters/store/redis-approval-store.js';
import { RedisAuditLog } from '../../src/adapters/store/redis-audit-log.js';
import { keys } from '../../src/adapters/store/redis-keys.js';
import { RedisLease } from '../../src/adapters/store/redis-lease.js';
import { RedisLogStore } from '../../src/adapters/store/redis-log-store.js';
import { TAMPERED_CAUSE } from '../../src/core/approval-grant.js';
import { environmentLeaseKey } from '../../src/queue/stages/environment.js';
import { served, until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

/**
 * Issue 14, point 3 (c): someone who can write slipway's Redis (its password leaked, or code that reached it)
 * rewrites what waits at the production gate to another image in the registry. The approval is bound to the
 * release by slipway's signature, which Redis does not hold: the Approve is refused, or the deploy is.
 */
const SIGNING_SECRET = 'sec-gate-binding-signing-secret';
const [STAGING, PRODUCTION] = [21300, 21301];
const SERVICE = 'secgate';
const BOB = 'U0BOB';

const config = (repoUrl: string) =>
  sampleConfig({
    service: SERVICE,
    repoUrl,
    tests: true,
    image: 'sec-gate-binding',
    channel: '#deploys',
    approvers: { users: [BOB] },
    staging: STAGING,
    production: PRODUCTION,
  });

const stack = useSlackStack({ config, signingSecret: SIGNING_SECRET });
const docker = dockerClient(process.env.DOCKER_HOST);
const approve = (value: string) => stack.users.answerTo(BOB, () => stack.users.click('approve_promotion', value, BOB, 'deploys'));

async function pushVersion(version: string): Promise<string> {
  const runId = await stack.repo.pushVersion(version);
  await stack.watch.settled(runId, { status: 'waiting' });
  return runId;
}

/** The attacker: rewrites the run's release and the approval request in Redis, with nothing but a client. */
async function rewriteDigest(runId: string, digest: string, { approval = true } = {}): Promise<void> {
  const run = JSON.parse((await stack.slipway.redis.get(keys.run(runId)))!) as { release: { digest: string } };
  run.release.digest = digest;
  await stack.slipway.redis.set(keys.run(runId), JSON.stringify(run));
  if (!approval) return;
  const request = JSON.parse((await stack.slipway.redis.get(keys.approval(runId, 'production')))!) as { digest: string };
  request.digest = digest;
  await stack.slipway.redis.set(keys.approval(runId, 'production'), JSON.stringify(request));
}

const productionContainers = () => docker.listContainers({ all: true, filters: { label: [`slipway.service=${SERVICE}`, 'slipway.environment=production'] } });
const tampering = async (runId: string) => (await new RedisAuditLog(stack.slipway.redis).list(SERVICE, 'production', 50)).filter((e) => e.runId === runId && e.action === 'tamper');

describe('an approval bound to its release by a signature Redis does not hold', { timeout: 300_000 }, () => {
  let evilDigest: string;

  it('refuses an Approve after the request and the run were rewritten to another image', async () => {
    // The "other image": an earlier release of the same service, in the registry, never approved.
    const older = await pushVersion('b1');
    evilDigest = (await stack.slipway.runs.get(older))!.release!.digest;
    const runId = await pushVersion('b2');
    const honest = (await stack.slipway.runs.get(runId))!.release!.digest;
    expect(evilDigest).not.toBe(honest);
    const value = await stack.watch.approveValue(runId, 'production');
    expect(value).toContain(honest);

    await rewriteDigest(runId, evilDigest);

    expect(await approve(value)).toBe(
      'The release waiting at this gate is not the one this card was signed for: it was changed after the card was posted. Nothing was approved; tell the operators (see the audit log) and ask anew with /deploy.',
    );
    // A card re-rendered from the rewritten request carries the old signature with the new digest: refused too.
    const [runPart, env, , signature] = value.split('|');
    expect(await approve([runPart, env, evilDigest, signature].join('|'))).toMatch(/^The release waiting at this gate is not the one this card was signed for/);
    expect((await new RedisApprovalStore(stack.slipway.redis).get(runId, 'production'))?.state).toBe('pending');
    expect((await stack.slipway.runs.get(runId))?.status).toBe('waiting');
    expect(await tampering(runId)).toHaveLength(2);
    expect(await productionContainers()).toEqual([]);
  });

  it('refuses the deploy when the run is rewritten after the approval, before the deploy job runs', async () => {
    const runId = await pushVersion('b3');
    const value = await stack.watch.approveValue(runId, 'production');
    // Hold the environment's deploy lease so the promotion parks before deploying; the attacker acts then.
    const lease = new RedisLease(stack.slipway.redis);
    const leaseKey = environmentLeaseKey(SERVICE, 'production');
    expect(await lease.acquire(leaseKey, 'test-holder', 300_000)).toBe(true);
    try {
      await stack.users.click('approve_promotion', value, BOB, 'deploys');
      const logs = new RedisLogStore(stack.slipway.redis);
      await until(async () => ((await logs.read(runId, 'deploy:production')).some((l) => l.includes('being deployed by another run')) ? true : undefined), 'the promotion to wait for the lease');
      // The job is parked (delayed) once its state is saved: from then on Redis is all it will read.
      await until(async () => ((await stack.slipway.queue.getDelayed()).some((j) => j.data.runId === runId) ? true : undefined), 'the promotion job to be delayed');
      await rewriteDigest(runId, evilDigest, { approval: false });
    } finally {
      await lease.release(leaseKey, 'test-holder');
    }

    const run = await stack.watch.settled(runId, { status: 'failed' });
    expect(run.failure).toEqual({ stage: 'deploy:production', cause: TAMPERED_CAUSE });
    expect(await tampering(runId)).toEqual([expect.objectContaining({ by: 'slipway', detail: `deploy refused: no valid approval for ${evilDigest}` })]);
    expect(await productionContainers()).toEqual([]);
    await expect(served(PRODUCTION)).rejects.toThrow();
  });

  it('still promotes an untouched release with the card’s own button', async () => {
    const runId = await pushVersion('b4');
    await stack.users.click('approve_promotion', await stack.watch.approveValue(runId, 'production'), BOB, 'deploys');
    const run = await stack.watch.settled(runId, { status: 'passed' });
    expect(run.grants?.map((g) => [g.environment, g.digest, g.by])).toEqual([['production', run.release!.digest, BOB]]);
    expect(await served(PRODUCTION)).toBe('b4');
  });
});
