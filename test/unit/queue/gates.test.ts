import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { verifyRelease } from '../../../src/core/approval-grant.js';
import { EXPIRE_JOB, type GateJob, REMIND_LOCK_JOB } from '../../../src/core/jobs.js';
import { parkRun, type Run } from '../../../src/core/run.js';
import { createGateProcessor, type GateDeps, openGate } from '../../../src/queue/gates.js';
import { memoryPorts } from '../../memory/memory-ports.js';
import { APPROVER, aRunAtGate, HOLDER, NOW, recordingLog, RELEASE, SERVICES, SIGNING_KEY } from './queue-fixtures.js';

const HOUR = 3600_000;

function setup() {
  const clock = { at: NOW };
  const ports = memoryPorts({ now: () => clock.at.getTime() });
  const notices: Array<{ channel: string; text: string }> = [];
  const { log, lines } = recordingLog();
  const deps: GateDeps = {
    services: SERVICES,
    runs: ports.runs,
    approvals: ports.approvals,
    deployments: ports.deployments,
    audit: ports.audit,
    gates: ports.gates,
    locks: ports.locks,
    freezes: ports.freezes,
    notify: async (channel, text) => void notices.push({ channel, text }),
    log,
    now: () => clock.at,
    signingKey: SIGNING_KEY,
  };
  const later = (ms: number) => {
    clock.at = new Date(clock.at.getTime() + ms);
  };
  return { ports, deps, notices, lines, later };
}

/** A run parked at its production gate, in the store. */
async function parkedRun(ports: ReturnType<typeof memoryPorts>, id: string): Promise<Run> {
  const run = parkRun(aRunAtGate(id), 'approval:production', NOW);
  await ports.runs.create(run);
  return run;
}

const expiryJob = (runId: string) => ({ name: EXPIRE_JOB, data: { runId, environment: 'production' } }) as Job<GateJob>;

describe('openGate', () => {
  it('opens one pending request for the run\'s release, signed, expiring after the configured hours, from what runs now', async () => {
    const { ports, deps } = setup();
    const run = await parkedRun(ports, 'run-1');
    await ports.deployments.record({
      service: 'discounts', environment: 'production', runId: 'run-0', port: 8081, by: APPROVER, at: '2026-11-01T09:00:00Z', outcome: 'succeeded',
      release: { sha: 'b'.repeat(40), tag: 'main-bbbbbbb', digest: `sha256:${'b'.repeat(64)}`, image: RELEASE.image },
    });

    const opened = await openGate(run, 'approval:production', deps);

    const approval = await ports.approvals.get('run-1', 'production');
    expect(opened).toBe('opened');
    expect(approval).toMatchObject({
      state: 'pending', service: 'discounts', digest: RELEASE.digest, tag: RELEASE.tag, sha: run.sha,
      requestedAt: NOW.toISOString(), expiresAt: '2026-11-03T09:00:00.000Z', from: { tag: 'main-bbbbbbb', sha: 'b'.repeat(40), runId: 'run-0' },
    });
    expect(approval?.breakGlass).toBeUndefined();
    expect(verifyRelease(SIGNING_KEY, { runId: 'run-1', environment: 'production', digest: RELEASE.digest }, approval?.signature)).toBe(true);
    expect([...ports.gates.expiries.values()]).toEqual([{ runId: 'run-1', environment: 'production', at: new Date('2026-11-03T09:00:00Z') }]);
    expect(ports.events.changes).toEqual(['run-1', 'run-1']);
  });

  it('finishes on a retried job what a job that stopped half-way left: the expiry, and the run it superseded', async () => {
    const { ports, deps, later } = setup();
    const older = await parkedRun(ports, 'run-0');
    await openGate(older, 'approval:production', deps);
    later(HOUR);
    const run = await parkedRun(ports, 'run-1');
    const scheduleExpiry = ports.gates.scheduleExpiry.bind(ports.gates);
    let fails = 1;
    const flaky = { ...deps, gates: { remindLockHolder: deps.gates.remindLockHolder, scheduleExpiry: async (...args: Parameters<typeof scheduleExpiry>) => {
      if (fails-- > 0) throw new Error('Redis went away');
      return scheduleExpiry(...args);
    } } };
    await expect(openGate(run, 'approval:production', flaky)).rejects.toThrow('Redis went away');

    const again = await openGate(run, 'approval:production', flaky);

    expect(again).toBe('opened');
    expect([...ports.gates.expiries.keys()]).toEqual(['expire-run-0-production', 'expire-run-1-production']);
    expect((await ports.approvals.get('run-0', 'production'))?.state).toBe('superseded');
    expect((await ports.runs.get('run-0'))?.status).toBe('superseded');
  });

  it('opened again by a retried job changes nothing and schedules no second expiry', async () => {
    const { ports, deps, later } = setup();
    const run = await parkedRun(ports, 'run-1');
    await openGate(run, 'approval:production', deps);
    const first = await ports.approvals.get('run-1', 'production');
    const changes = ports.events.changes.length;
    later(HOUR);

    const again = await openGate(run, 'approval:production', deps);

    expect(again).toBe('opened');
    expect(await ports.approvals.get('run-1', 'production')).toEqual(first);
    expect(ports.gates.expiries.size).toBe(1);
    expect(ports.events.changes).toHaveLength(changes);
  });

  it('supersedes the older pending request of the same gate and ends its waiting run as superseded', async () => {
    const { ports, deps, later } = setup();
    const older = await parkedRun(ports, 'run-1');
    await openGate(older, 'approval:production', deps);
    later(HOUR);
    const newer = await parkedRun(ports, 'run-2');

    await openGate(newer, 'approval:production', deps);

    const oldRun = await ports.runs.get('run-1');
    expect((await ports.approvals.get('run-1', 'production'))?.state).toBe('superseded');
    expect(oldRun?.status).toBe('superseded');
    expect(oldRun?.stages.find((s) => s.name === 'approval:production')).toMatchObject({ status: 'failed', summary: 'superseded by run-2' });
    expect(oldRun?.stages.find((s) => s.name === 'deploy:production')?.status).toBe('skipped');
    expect((await ports.approvals.get('run-2', 'production'))?.state).toBe('pending');
    expect(ports.events.changes).toContain('run-1');
  });

  it('leaves the older request\'s run alone when it is no longer waiting', async () => {
    const { ports, deps } = setup();
    const older = await parkedRun(ports, 'run-1');
    await openGate(older, 'approval:production', deps);
    const cancelled: Run = { ...older, status: 'cancelled' };
    await ports.runs.save(cancelled);

    await openGate(await parkedRun(ports, 'run-2'), 'approval:production', deps);

    expect(await ports.runs.get('run-1')).toEqual(cancelled);
  });

  const FREEZE = { from: '2026-11-02T08:00:00.000Z', until: '2026-11-02T12:00:00.000Z' };
  it.each([
    ['an environment that needs no approval', false, undefined, 'not needed'],
    ['a forced run whose freeze is over', true, undefined, 'not needed'],
    ['a forced run breaking the freeze in force (one approver more)', true, FREEZE, 'opened'],
  ] as const)('at qa, %s: %s', async (_case, forced, freeze, expected) => {
    const { ports, deps } = setup();
    if (freeze) await ports.freezes.set({ service: 'discounts', environment: 'qa', ...freeze, reason: 'launch', by: HOLDER });
    const run = aRunAtGate('run-1', forced ? { trigger: 'deploy', override: { by: APPROVER, reason: 'hotfix' }, breaks: [{ environment: 'qa', ...FREEZE }] } : {});

    const answer = await openGate(run, 'approval:qa', deps);

    const approval = await ports.approvals.get('run-1', 'qa');
    expect(answer).toBe(expected);
    if (expected === 'opened') expect(approval).toMatchObject({ state: 'pending', breakGlass: true });
    else expect(approval).toBeUndefined();
    expect(ports.gates.expiries.size).toBe(expected === 'opened' ? 1 : 0);
  });

  it.each([
    ['an environment the service does not have', aRunAtGate('run-1'), 'approval:moon'],
    ['a run with no release', { ...aRunAtGate('run-1'), release: undefined }, 'approval:production'],
  ])('refuses %s', async (_case, run, stage) => {
    const { ports, deps } = setup();

    await expect(openGate(run, stage, deps)).rejects.toThrow(/cannot ask for approval of .*: no such environment or no release/);

    expect(await ports.approvals.pending('discounts')).toEqual([]);
  });
});

describe('the gate processor', () => {
  it('expires a pending request when its time is up: the waiting run is cancelled at its gate and audited', async () => {
    const { ports, deps, later, lines } = setup();
    await openGate(await parkedRun(ports, 'run-1'), 'approval:production', deps);
    later(24 * HOUR);

    await createGateProcessor(deps)(expiryJob('run-1'));

    const run = await ports.runs.get('run-1');
    expect((await ports.approvals.get('run-1', 'production'))?.state).toBe('expired');
    expect(run?.status).toBe('cancelled');
    expect(run?.stages.find((s) => s.name === 'approval:production')).toMatchObject({ status: 'failed', summary: 'approval expired' });
    expect(await ports.audit.list('discounts')).toEqual([
      { at: '2026-11-03T09:00:00.000Z', service: 'discounts', environment: 'production', action: 'expire', by: 'slipway', runId: 'run-1', detail: RELEASE.tag },
    ]);
    expect(lines.some((l) => l.msg === 'approval request expired' && l.runId === 'run-1')).toBe(true);
  });

  it.each(['approved', 'rejected'] as const)('changes nothing when the request was %s before its expiry ran', async (state) => {
    const { ports, deps, later } = setup();
    await openGate(await parkedRun(ports, 'run-1'), 'approval:production', deps);
    await ports.approvals.decide('run-1', 'production', { state, by: APPROVER, at: NOW.toISOString() });
    const run = await ports.runs.get('run-1');
    later(24 * HOUR);

    await createGateProcessor(deps)(expiryJob('run-1'));

    expect((await ports.approvals.get('run-1', 'production'))?.state).toBe(state);
    expect(await ports.runs.get('run-1')).toEqual(run);
    expect(await ports.audit.list('discounts')).toEqual([]);
  });

  const lockAt = '2026-11-02T05:00:00.000Z';
  const reminder = (fields: Partial<{ by: string; at: string }> = {}) =>
    ({ name: REMIND_LOCK_JOB, data: { service: 'discounts', environment: 'production', by: HOLDER, at: lockAt, ...fields } }) as Job<GateJob>;

  it('reminds the holder still holding the lock, with the people waiting, and schedules the next reminder', async () => {
    const { ports, deps, notices } = setup();
    await ports.locks.take({ service: 'discounts', environment: 'production', by: HOLDER, reason: 'audit', at: lockAt });
    await ports.locks.enqueue('discounts', 'production', { by: APPROVER, reason: 'release', at: NOW.toISOString() });

    await createGateProcessor(deps)(reminder());

    expect(notices).toEqual([{
      channel: '#discounts',
      text: `:alarm_clock: <@${HOLDER}>, you have held the discounts production lock for 4 h. 1 person is waiting for it. /slipway unlock production when you are done.`,
    }]);
    expect([...ports.gates.reminders.values()]).toEqual([
      { lock: { service: 'discounts', environment: 'production', by: HOLDER, reason: 'audit', at: lockAt }, at: new Date('2026-11-02T11:00:00Z') },
    ]);
  });

  it.each([
    [0, ''],
    [2, ' 2 people are waiting for it.'],
  ])('tells the holder how many wait for the lock (%i)', async (waiting, said) => {
    const { ports, deps, notices } = setup();
    await ports.locks.take({ service: 'discounts', environment: 'production', by: HOLDER, reason: 'audit', at: lockAt });
    for (const by of ['U0A', 'U0B'].slice(0, waiting)) await ports.locks.enqueue('discounts', 'production', { by, reason: 'release', at: NOW.toISOString() });

    await createGateProcessor(deps)(reminder());

    expect(notices.map((n) => n.text)).toEqual([`:alarm_clock: <@${HOLDER}>, you have held the discounts production lock for 4 h.${said} /slipway unlock production when you are done.`]);
  });

  it.each([
    ['the lock was given up', undefined, {}],
    ['someone else holds it now', { by: APPROVER, at: lockAt }, {}],
    ['the holder gave it up and took it again since', { by: HOLDER, at: '2026-11-02T08:00:00.000Z' }, {}],
    ['the reminder names another holder', { by: HOLDER, at: lockAt }, { by: APPROVER }],
  ] as const)('reminds nobody and schedules nothing when %s', async (_case, held, job) => {
    const { ports, deps, notices } = setup();
    if (held) await ports.locks.take({ service: 'discounts', environment: 'production', reason: 'audit', ...held });

    await createGateProcessor(deps)(reminder(job));

    expect(notices).toEqual([]);
    expect(ports.gates.reminders.size).toBe(0);
  });
});
