import { describe, expect, it } from 'vitest';
import { RedisAuditLog } from '../../src/adapters/store/redis-audit-log.js';
import { RedisDeploymentStore } from '../../src/adapters/store/redis-deployment-store.js';
import { isFinished, type Run } from '../../src/core/run.js';
import { served, until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

// What must hold when people click and type at the same moment: one outcome per race, told to everyone the
// same way — a run is either promoted or cancelled, never cancelled with its release in production; a lock
// taken during a promotion either stops the deploy (the run fails saying so) or comes after it; one approval
// decided per gate however many approvers press at once.
const SIGNING_SECRET = 'faults-races-signing';
const [STAGING, PRODUCTION] = [18898, 18899];
const [BOB, CAROL, DAN] = ['U0BOB', 'U0CAROL', 'U0DAN'];

const config = (repoUrl: string) =>
  sampleConfig({
    service: 'racy',
    repoUrl,
    image: 'slipway-faults-racy',
    channels: ['#deploys'],
    approvers: { users: [BOB, CAROL, DAN] },
    staging: { port: STAGING, healthTimeoutSeconds: 10 },
    production: { port: PRODUCTION, healthTimeoutSeconds: 10 },
  });

// Ann writes every commit: self-approval checks must know who she is in Slack (the stack's Slack does), or
// nobody may approve.
const stack = useSlackStack({ config, signingSecret: SIGNING_SECRET });

const command = async (name: string, text: string, userId: string) => (await stack.users.command(name, text, userId, 'deploys')).json ?? {};
// The card's Approve button carries the signed release: a click sends back what the card shows.
const approve = async (runId: string, userId: string) => stack.users.click('approve_promotion', await stack.watch.approveValue(runId, 'production'), userId, 'deploys');

let version = 0;
async function waitingRun(): Promise<{ runId: string; version: string }> {
  const name = `race-${(version += 1)}`;
  await stack.repo.commit({ 'www/version': `${name}\n` }, `Version ${name}`);
  const { runId } = await stack.repo.push('main');
  await until(async () => ((await stack.slipway.runs.get(runId!))?.status === 'waiting' ? true : undefined), `run ${runId} to wait at its gate`);
  return { runId: runId!, version: name };
}
const ended = (runId: string) =>
  until(async () => {
    const run = await stack.slipway.runs.get(runId);
    return run && isFinished(run) ? run : undefined;
  }, `run ${runId} to end`);
const deployedToProduction = async (runId: string) =>
  (await new RedisDeploymentStore(stack.slipway.redis).history('racy', 'production', 100)).filter((d) => d.runId === runId && d.outcome === 'succeeded').length;

describe('racing people', { timeout: 240_000 }, () => {
  it('an approval and a /slipway cancel at the same moment: promoted or cancelled, never both', async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < 3; round += 1) {
      const { runId, version: v } = await waitingRun();
      await Promise.all([approve(runId, BOB), command('/slipway', `cancel ${runId}`, CAROL)]);
      const run: Run = await ended(runId);
      const deployed = await deployedToProduction(runId);
      outcomes.add(run.status);
      if (run.status === 'cancelled') {
        expect(deployed).toBe(0);
        expect(await served(PRODUCTION).catch(() => '')).not.toBe(v);
      } else {
        expect(run.status).toBe('passed');
        expect(deployed).toBe(1);
        expect(await served(PRODUCTION)).toBe(v);
      }
      expect(run.stages.some((s) => s.status === 'running' || s.status === 'pending')).toBe(false);
    }
    expect([...outcomes].every((o) => o === 'cancelled' || o === 'passed')).toBe(true);
  });

  it('an approval and a /slipway lock by someone else at the same moment: the deploy goes in before the lock, or not at all', async () => {
    for (let round = 0; round < 2; round += 1) {
      const { runId, version: v } = await waitingRun();
      await Promise.all([approve(runId, BOB), command('/slipway', 'lock production reason: incident', DAN)]);
      const settled = await until(async () => {
        const run = await stack.slipway.runs.get(runId);
        return run && (isFinished(run) || run.status === 'waiting') ? run : undefined;
      }, `run ${runId} to settle`);
      const deployed = await deployedToProduction(runId);
      if (deployed === 1) {
        expect(settled.status).toBe('passed');
        expect(await served(PRODUCTION)).toBe(v);
      } else if (settled.status === 'failed') {
        expect(settled.failure?.cause).toMatch(/^production is locked by <@U0DAN>: incident; nothing was deployed$/);
      } else {
        // The lock came first: the click was refused and the run still waits for an approval.
        expect(settled.status).toBe('waiting');
        await command('/slipway', `cancel ${runId}`, CAROL);
      }
      expect(await stack.slipway.redis.exists('slipway:lock:racy:production')).toBe(1);
      expect((await command('/slipway', 'unlock production', DAN)).text).toBe(`:unlock: <@${DAN}> unlocked racy production.`);
    }
  });

  it('three approvers pressing twice each at once: one promotion, one deployment, one deciding approval', async () => {
    const { runId, version: v } = await waitingRun();
    await Promise.all([BOB, CAROL, DAN, BOB, CAROL, DAN].map((u) => approve(runId, u)));
    const run = await ended(runId);
    expect(run.status).toBe('passed');
    expect(await deployedToProduction(runId)).toBe(1);
    expect(await served(PRODUCTION)).toBe(v);
    const approvals = (await new RedisAuditLog(stack.slipway.redis).list('racy', 'production', 100)).filter((e) => e.runId === runId && e.action === 'approve');
    expect(approvals).toHaveLength(1);
  });
});
