import { describe, expect, it } from 'vitest';
import { completeRun, parkRun, passStage, type Run, startStage } from '../../../src/core/run.js';
import { failAbandonedRun } from '../../../src/queue/abandoned-runs.js';
import { memoryPorts } from '../../memory/memory-ports.js';
import { aRun, aRunAtGate, NOW, recordingLog } from './queue-fixtures.js';

const LATER = new Date('2026-11-02T09:30:00Z');
const STALLED = 'job stalled more than allowable limit';

function setup() {
  const ports = memoryPorts({ now: () => LATER.getTime() });
  const { log, lines } = recordingLog();
  return { ports, lines, deps: { runs: ports.runs, log, now: () => LATER } };
}

/** A run whose worker was in the middle of `test`. */
const runningTest = (): Run => startStage(passStage(aRun('run-1', ['checkout', 'test', 'build']), 'checkout', NOW), 'test', NOW);

describe('failAbandonedRun', () => {
  it.each([
    ['stalled too often', STALLED, 'the worker running it stopped mid-stage too many times (killed or out of memory); press Retry to run it again'],
    ['thrown on every attempt', 'connect ECONNREFUSED 127.0.0.1:2375', 'its job failed: connect ECONNREFUSED 127.0.0.1:2375; press Retry to run it again'],
  ])('fails a running run at the stage it was in when its job %s, saying why', async (_case, reason, cause) => {
    const { ports, deps, lines } = setup();
    await ports.runs.create(runningTest());

    await failAbandonedRun({ runId: 'run-1' }, reason, deps);

    const run = await ports.runs.get('run-1');
    expect(run?.status).toBe('failed');
    expect(run?.failure).toEqual({ stage: 'test', cause });
    expect(run?.stages.map((s) => [s.name, s.status])).toEqual([['checkout', 'passed'], ['test', 'failed'], ['build', 'skipped']]);
    expect(run?.updatedAt).toBe(LATER.toISOString());
    expect(ports.events.changes).toEqual(['run-1', 'run-1']);
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, runId: 'run-1', failedReason: reason, msg: 'run failed: its job was given up' }));
  });

  it('fails a queued run that never started a stage at its next stage', async () => {
    const { ports, deps } = setup();
    await ports.runs.create(passStage(aRun('run-1', ['checkout', 'test']), 'checkout', NOW));

    await failAbandonedRun({ runId: 'run-1' }, STALLED, deps);

    expect((await ports.runs.get('run-1'))?.failure?.stage).toBe('test');
  });

  it.each([
    ['a passed run', completeRun(aRun('run-1', ['checkout']), NOW)],
    ['a failed run', { ...runningTest(), status: 'failed' as const }],
    ['a run waiting at its gate', parkRun(aRunAtGate('run-1'), 'approval:production', NOW)],
  ])('leaves %s alone', async (_case, run) => {
    const { ports, deps, lines } = setup();
    await ports.runs.create(run);

    await failAbandonedRun({ runId: 'run-1' }, STALLED, deps);

    expect(await ports.runs.get('run-1')).toEqual(run);
    expect(ports.events.changes).toEqual(['run-1']);
    expect(lines).toEqual([]);
  });

  it.each([
    ['job data without a run id', { stage: 'test' }],
    ['job data that is not an object', 'run-1'],
    ['a run id the store does not know', { runId: 'run-9' }],
  ])('ignores %s', async (_case, data) => {
    const { ports, deps, lines } = setup();
    await ports.runs.create(runningTest());

    await failAbandonedRun(data, STALLED, deps);

    expect((await ports.runs.get('run-1'))?.status).toBe('running');
    expect(ports.events.changes).toEqual(['run-1']);
    expect(lines).toEqual([]);
  });
});
