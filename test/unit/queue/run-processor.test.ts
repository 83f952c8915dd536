import { type Job, UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { RunJobData } from '../../../src/core/jobs.js';
import type { CheckoutSource, DeployTarget, HostReleases, ImageEngine, ImageTagger, SourceCheckout } from '../../../src/core/ports.js';
import { cancelKey, completeRun, type Run, type StageName } from '../../../src/core/run.js';
import { createRunProcessor, type RunProcessorDeps } from '../../../src/queue/run-processor.js';
import { memoryPorts } from '../../memory/memory-ports.js';
import { APPROVER, aRun, HOLDER, NOW, recordingLog, RELEASE, SERVICES, SHA, SIGNING_KEY } from './queue-fixtures.js';

/** Something no decision here may touch: the engine, the deploy targets. Any use fails the test. */
function untouchable<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, property) => {
      throw new Error(`${name}.${String(property)} was used, but no engine stage runs in these tests`);
    },
  });
}

/**
 * A checkout that never clones: asked for the source it throws; `isAncestorOf` answers from `ancestry` (sha →
 * answer, or an Error git would have thrown). Records what was asked for and whether it was removed.
 */
function fakeCheckouts(ancestry: Record<string, boolean | Error> = {}) {
  const made: Array<{ source: CheckoutSource; removed: number }> = [];
  const checkout = (source: CheckoutSource): SourceCheckout => {
    const record = { source, removed: 0 };
    made.push(record);
    const refuse = async (): Promise<never> => {
      throw new Error('the source was asked for: nothing may be cloned here');
    };
    return {
      sourceDir: refuse,
      commitsBehind: refuse,
      commitsSince: refuse,
      pushTag: refuse,
      isAncestorOf: async (sha) => {
        const answer = ancestry[sha];
        if (answer instanceof Error) throw answer;
        if (answer === undefined) throw new Error(`isAncestorOf(${sha}) was not expected`);
        return answer;
      },
      remove: async () => {
        record.removed += 1;
      },
    };
  };
  return { made, checkout };
}

function setup(ancestry: Record<string, boolean | Error> = {}) {
  const ports = memoryPorts({ now: () => NOW.getTime() });
  const checkouts = fakeCheckouts(ancestry);
  const { log, lines } = recordingLog();
  const deps: RunProcessorDeps = {
    ...ports,
    images: untouchable<ImageEngine>('images'),
    targets: () => untouchable<DeployTarget>('target'),
    secrets: async () => {
      throw new Error('secrets were read, but no deploy runs in these tests');
    },
    synthetics: {},
    releasing: { hosts: untouchable<HostReleases>('host releases'), images: untouchable<ImageTagger>('image tags') },
    signingKey: SIGNING_KEY,
    services: SERVICES,
    gate: { ...ports, services: SERVICES, log, now: () => NOW, signingKey: SIGNING_KEY },
    checkout: checkouts.checkout,
    log,
    env: {},
    scrub: (text) => text,
    now: () => NOW,
  };
  return { ports, deps, lines, checkouts, process: createRunProcessor(deps) };
}

const job = (runId: string) => ({ data: { runId } }) as Job<RunJobData>;

/** A run with its release, at the given stages, whose release got through staging and qa. */
async function releasedRun(ports: ReturnType<typeof memoryPorts>, stages: readonly StageName[], fields: Partial<Run> = {}): Promise<Run> {
  const run = { ...aRun('run-1', stages), release: RELEASE, ...fields };
  await ports.runs.create(run);
  await ports.passes.record('discounts', RELEASE.digest, 'staging');
  await ports.passes.record('discounts', RELEASE.digest, 'qa');
  return run;
}

const stageOf = (run: Run | undefined, name: string) => run?.stages.find((s) => s.name === name);

describe('the run processor, before any engine stage', () => {
  it('gives up for good on a run the store does not have', async () => {
    const { process, checkouts } = setup();

    const result = process(job('run-9'));

    await expect(result).rejects.toThrow(UnrecoverableError);
    await expect(result).rejects.toThrow('run run-9 is not in the store');
    expect(checkouts.made).toEqual([]);
  });

  it.each(['passed', 'failed', 'cancelled', 'superseded'] as const)('does nothing with a %s run', async (status) => {
    const { ports, process, checkouts } = setup();
    const run: Run = { ...aRun('run-1', ['approval:production']), status };
    await ports.runs.create(run);

    await process(job('run-1'));

    expect(await ports.runs.get('run-1')).toEqual(run);
    expect(ports.events.changes).toEqual(['run-1']);
    expect(checkouts.made).toEqual([]);
  });

  it('fails a run whose service is no longer in slipway.yml at its next stage, naming the service', async () => {
    const { ports, process, checkouts } = setup();
    await ports.runs.create({ ...aRun('run-1', ['checkout', 'approval:production']), service: 'gone' });

    await process(job('run-1'));

    const run = await ports.runs.get('run-1');
    expect(run?.status).toBe('failed');
    expect(run?.failure).toEqual({ stage: 'checkout', cause: 'service gone is no longer in slipway.yml' });
    expect(stageOf(run, 'approval:production')?.status).toBe('skipped');
    expect(checkouts.made).toEqual([]);
  });

  it('cancels a run someone asked to cancel before its next stage, opening no request', async () => {
    const { ports, process, checkouts } = setup();
    await releasedRun(ports, ['approval:production']);
    await ports.once.claim(cancelKey('run-1'), APPROVER, 3600);

    await process(job('run-1'));

    const run = await ports.runs.get('run-1');
    expect(run?.status).toBe('cancelled');
    expect(stageOf(run, 'approval:production')).toMatchObject({ status: 'skipped', summary: `cancelled by ${APPROVER}` });
    expect(await ports.approvals.get('run-1', 'production')).toBeUndefined();
    expect(checkouts.made.map((c) => c.removed)).toEqual([1]);
  });

  it('parks a run at its approval gate: the request is opened, its expiry scheduled, the run waits', async () => {
    const { ports, process, checkouts, lines } = setup();
    await releasedRun(ports, ['approval:production', 'deploy:production']);

    await process(job('run-1'));

    const run = await ports.runs.get('run-1');
    expect(run?.status).toBe('waiting');
    expect(stageOf(run, 'approval:production')).toMatchObject({ status: 'running', startedAt: NOW.toISOString() });
    expect(stageOf(run, 'deploy:production')?.status).toBe('pending');
    expect((await ports.approvals.get('run-1', 'production'))?.state).toBe('pending');
    expect(ports.gates.expiries.size).toBe(1);
    // Created, the request opened, the run parked: each announced for Slack.
    expect(ports.events.changes).toEqual(['run-1', 'run-1', 'run-1']);
    expect(lines).toContainEqual(expect.objectContaining({ runId: 'run-1', stage: 'approval:production', msg: 'run parked at its approval gate' }));
    expect(checkouts.made.map((c) => c.removed)).toEqual([1]);
  });

  it('checks out the run\'s sha from the repository config names, never from the URL stored with the run', async () => {
    const { ports, process, checkouts } = setup();
    await releasedRun(ports, ['approval:production'], { cloneUrl: 'https://evil.example.com/discounts.git', source: { host: 'github', fullName: 'acme/discounts' } });

    await process(job('run-1'));

    expect(checkouts.made).toEqual([{ source: { url: 'https://github.com/acme/discounts.git', sha: SHA, token: undefined }, removed: 1 }]);
  });

  it('parks a run at a gate someone has locked: the lock waits there, it does not fail the run', async () => {
    const { ports, process } = setup();
    await releasedRun(ports, ['approval:production']);
    await ports.locks.take({ service: 'discounts', environment: 'production', by: HOLDER, reason: 'audit', at: NOW.toISOString() });

    await process(job('run-1'));

    expect((await ports.runs.get('run-1'))?.status).toBe('waiting');
    expect((await ports.approvals.get('run-1', 'production'))?.state).toBe('pending');
  });

  it('fails a run at a frozen gate, saying how to break the freeze, and asks nobody', async () => {
    const { ports, process } = setup();
    await releasedRun(ports, ['approval:production']);
    await ports.freezes.set({ service: 'discounts', environment: 'production', from: '2026-11-02T08:00:00.000Z', until: '2026-11-02T18:00:00.000Z', reason: 'launch', by: HOLDER });

    await process(job('run-1'));

    const run = await ports.runs.get('run-1');
    expect(run?.status).toBe('failed');
    expect(run?.failure?.stage).toBe('approval:production');
    expect(run?.failure?.cause).toMatch(/^production is frozen until .*: launch\. An approver can break glass: \/deploy force main to production reason: …$/);
    expect(await ports.approvals.get('run-1', 'production')).toBeUndefined();
  });

  it('fails a run whose release skipped an earlier environment, naming it', async () => {
    const { ports, process } = setup();
    await ports.runs.create({ ...aRun('run-1', ['approval:production']), release: RELEASE });
    await ports.passes.record('discounts', RELEASE.digest, 'staging');

    await process(job('run-1'));

    expect((await ports.runs.get('run-1'))?.failure?.cause).toBe('production takes only releases that got through qa first; deploy there first: /deploy main to qa');
  });

  it('skips the rest of a run whose release is quarantined there: the run passes, nobody is asked', async () => {
    const { ports, process } = setup();
    await releasedRun(ports, ['approval:production', 'deploy:production']);
    await ports.quarantines.add({ service: 'discounts', environment: 'production', digest: RELEASE.digest, tag: RELEASE.tag, by: APPROVER, at: NOW.toISOString(), reason: 'rolled back' });

    await process(job('run-1'));

    const run = await ports.runs.get('run-1');
    const why = `${RELEASE.tag} is quarantined in production (rolled back); lift it with /slipway unquarantine production`;
    expect(run?.status).toBe('passed');
    expect(run?.stages.map((s) => [s.status, s.summary])).toEqual([['skipped', why], ['skipped', why]]);
    expect(await ports.approvals.get('run-1', 'production')).toBeUndefined();
  });

  it('passes a gate that needs no approval and goes on: the run passes', async () => {
    const { ports, process } = setup();
    await releasedRun(ports, ['approval:qa']);

    await process(job('run-1'));

    const run = await ports.runs.get('run-1');
    expect(run?.status).toBe('passed');
    expect(stageOf(run, 'approval:qa')).toMatchObject({ status: 'passed', summary: 'no approval needed: the freeze is over' });
    expect(await ports.approvals.get('run-1', 'qa')).toBeUndefined();
  });
});

describe('the run processor with a release already built for the sha', () => {
  const DEPLOYED = 'e'.repeat(40);

  /** The sha's release is in the store, and production last got DEPLOYED from main (by run-0). */
  async function withHistory(ports: ReturnType<typeof memoryPorts>) {
    await ports.releases.save({ service: 'discounts', sha: SHA, branch: 'main', image: RELEASE.image, tag: RELEASE.tag, digest: RELEASE.digest, runId: 'run-old', createdAt: NOW.toISOString() });
    await ports.runs.create(completeRun({ ...aRun('run-0', ['deploy:production']), sha: DEPLOYED }, NOW));
    await ports.deployments.record({
      service: 'discounts', environment: 'production', runId: 'run-0', port: 8081, by: 'slipway', at: NOW.toISOString(), outcome: 'succeeded',
      release: { sha: DEPLOYED, tag: 'main-eeeeeee', digest: `sha256:${'e'.repeat(64)}`, image: RELEASE.image },
    });
    await ports.passes.record('discounts', RELEASE.digest, 'staging');
    await ports.passes.record('discounts', RELEASE.digest, 'qa');
  }

  it('reuses it instead of building: the build stages are skipped, the release marked reused, and the run goes on to its gate', async () => {
    const { ports, process } = setup({ [DEPLOYED]: false });
    await withHistory(ports);
    await ports.runs.create(aRun('run-1', ['build', 'push', 'approval:production', 'deploy:production']));

    await process(job('run-1'));

    const run = await ports.runs.get('run-1');
    expect(run?.release).toEqual({ image: RELEASE.image, tag: RELEASE.tag, digest: RELEASE.digest, reused: true });
    expect(run?.stages.slice(0, 2).map((s) => [s.name, s.status, s.summary])).toEqual([
      ['build', 'skipped', `reused release ${RELEASE.tag}`],
      ['push', 'skipped', `reused release ${RELEASE.tag}`],
    ]);
    expect(run?.status).toBe('waiting');
  });

  it('does not bring an older push back over what its branch deployed: the rest of the run is skipped', async () => {
    const { ports, process } = setup({ [DEPLOYED]: true });
    await withHistory(ports);
    await ports.runs.create(aRun('run-1', ['build', 'approval:production', 'deploy:production']));

    await process(job('run-1'));

    const run = await ports.runs.get('run-1');
    expect(run?.status).toBe('passed');
    expect(run?.release).toBeUndefined();
    expect(run?.stages.every((s) => s.status === 'skipped' && s.summary?.startsWith(`${SHA.slice(0, 7)} is older than eeeeeee already deployed to production from main`))).toBe(true);
    expect(await ports.approvals.get('run-1', 'production')).toBeUndefined();
  });

  it.each([
    ['a /deploy', { trigger: 'deploy' as const }],
    ['a push that follows what was deployed', { before: DEPLOYED }],
  ])('asks git nothing for %s', async (_case, fields) => {
    const { ports, process } = setup();
    await withHistory(ports);
    await ports.runs.create(aRun('run-1', ['build', 'approval:production', 'deploy:production'], fields));

    await process(job('run-1'));

    expect((await ports.runs.get('run-1'))?.status).toBe('waiting');
  });

  it('fails at checkout when git cannot tell the ancestry, with what git said', async () => {
    const { ports, process, checkouts } = setup({ [DEPLOYED]: new Error('fatal: could not read from remote repository\nmore detail') });
    await withHistory(ports);
    await ports.runs.create(aRun('run-1', ['build', 'approval:production', 'deploy:production']));

    await process(job('run-1'));

    const run = await ports.runs.get('run-1');
    expect(run?.status).toBe('failed');
    expect(run?.failure).toEqual({ stage: 'checkout', cause: 'fatal: could not read from remote repository' });
    expect(checkouts.made.map((c) => c.removed)).toEqual([1]);
  });
});
