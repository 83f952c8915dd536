import { describe, expect, it } from 'vitest';
import { commitState } from '../../../src/core/commit-state.js';
import { endAtGate, failRun, parkRun, passStage, startStage } from '../../../src/core/run.js';
import { aRun } from '../../helpers/runs.js';

const T = new Date('2026-11-20T10:00:00Z');
const run = () => aRun({ stages: ['checkout', 'deploy:staging', 'approval:production', 'deploy:production'] });

describe('commitState', () => {
  it.each([
    ['queued', run(), { state: 'pending', description: 'queued' }],
    ['running', startStage(run(), 'checkout', T), { state: 'pending', description: 'running checkout' }],
    [
      'at a gate',
      parkRun(passStage(passStage(run(), 'checkout', T), 'deploy:staging', T), 'approval:production', T),
      { state: 'success', description: 'deployed to staging; waiting for approval of production' },
    ],
    ['failed', failRun(run(), 'checkout', 'no such commit', T), { state: 'failure', description: 'failed at checkout: no such commit' }],
    ['rejected at the gate', endAtGate(run(), 'approval:production', 'cancelled', 'rejected', T), { state: 'error', description: 'cancelled' }],
  ] as const)('%s', (_name, r, expected) => {
    expect(commitState(r)).toEqual(expected);
  });

  it('keeps descriptions within GitHub’s 140 characters', () => {
    expect(commitState(failRun(run(), 'checkout', 'x'.repeat(500), T))?.description.length).toBe(140);
  });

  it('says nothing for teardowns and rollbacks, which are not a verdict on a commit', () => {
    expect(commitState(aRun({ trigger: 'delete' }))).toBeUndefined();
    expect(commitState(aRun({ trigger: 'rollback' }))).toBeUndefined();
  });
});
