import { describe, expect, it } from 'vitest';
import { deploymentStates, movesForward } from '../../../src/core/deployment-state.js';
import type { Run, StageStatus } from '../../../src/core/run.js';
import { aRun } from '../../helpers/runs.js';

const at = new Date('2026-11-24T10:00:00Z');
const release = { image: '127.0.0.1:5000/shop', tag: 'main-aaaaaaa', digest: 'sha256:abc', reused: false };

/** A run through staging to production's gate, with the stages' statuses given in order. */
function run(statuses: StageStatus[], more: Partial<Run> = {}): Run {
  const base = aRun({ stages: ['push', 'deploy:staging', 'approval:production', 'deploy:production'] }, at);
  return { ...base, status: 'running', stages: base.stages.map((s, i) => ({ ...s, status: statuses[i] ?? 'pending' })), ...more };
}

const states = (r: Run) => deploymentStates(r).deployments.map((d) => `${d.environment} ${d.state}${d.started ? '' : ' (not started)'}`);

describe('deploymentStates', () => {
  it('queues nothing before there is a release, and nothing behind an open gate', () => {
    expect(states(run(['running']))).toEqual([]);
    expect(states(run(['passed'], { release }))).toEqual(['staging queued (not started)']);
  });

  it('follows the deploy stage: in progress, success, failure', () => {
    expect(states(run(['passed', 'running'], { release }))).toEqual(['staging in_progress']);
    expect(states(run(['passed', 'passed', 'running'], { release, status: 'waiting' }))).toEqual(['staging success']);
    expect(states(run(['passed', 'passed', 'passed'], { release }))).toEqual(['staging success', 'production queued (not started)']);
    expect(states(run(['passed', 'passed', 'passed', 'failed'], { release, status: 'failed' }))).toEqual(['staging success', 'production failure']);
  });

  it('ends a deploy that never ran as failure in a failed run and as inactive otherwise', () => {
    expect(states(run(['failed'], { release, status: 'failed' }))).toEqual(['staging failure (not started)', 'production failure (not started)']);
    expect(states(run(['passed', 'passed', 'skipped', 'skipped'], { release, status: 'passed' }))).toEqual(['staging success', 'production inactive (not started)']);
    expect(states(run(['passed', 'passed', 'passed'], { release, status: 'cancelled' }))).toEqual(['staging success', 'production inactive (not started)']);
  });

  it('names the environments a teardown retired', () => {
    const teardown = { ...run([]), trigger: 'delete' as const, stages: [{ name: 'teardown:shop-feature-x' as const, status: 'passed' as const }] };
    expect(deploymentStates(teardown)).toEqual({ deployments: [], retired: ['shop-feature-x'] });
  });
});

describe('movesForward', () => {
  it('lets a deployment go forward only', () => {
    expect(movesForward(undefined, 'queued')).toBe(true);
    expect(movesForward('queued', 'in_progress')).toBe(true);
    expect(movesForward('in_progress', 'success')).toBe(true);
    expect(movesForward('in_progress', 'queued')).toBe(false);
    expect(movesForward('success', 'in_progress')).toBe(false);
  });
});
