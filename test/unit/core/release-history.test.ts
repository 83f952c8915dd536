import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../src/core/ports.js';
import { commitsBetween, rollbackTarget } from '../../../src/core/release-history.js';
import { newRun, type Run } from '../../../src/core/run.js';

const deployment = (tag: string, digest: string, outcome: Deployment['outcome'], runId = `run-${tag}`): Deployment => ({
  service: 's',
  environment: 'production',
  release: { tag, digest, sha: `${tag.replace(/\D/g, '')}`.padEnd(40, 'a'), image: 'r/s' },
  port: 1,
  runId,
  by: 'bob',
  at: '2026-11-20T10:00:00Z',
  outcome,
});

describe('rollbackTarget', () => {
  // newest first, as the store gives it
  const history = [
    deployment('t4', 'sha256:4', 'failed'),
    deployment('t3', 'sha256:3', 'succeeded'),
    deployment('t3b', 'sha256:3', 'succeeded'),
    deployment('t2', 'sha256:2', 'succeeded'),
    deployment('t1', 'sha256:1', 'succeeded'),
  ];

  it('goes back to the newest successful release of another digest by default', () => {
    expect(rollbackTarget(history)).toMatchObject({ ok: true, to: { release: { tag: 't2' } } });
  });

  it('goes to the release asked for, by tag, run or sha prefix', () => {
    expect(rollbackTarget(history, 't1')).toMatchObject({ ok: true, to: { release: { tag: 't1' } } });
    expect(rollbackTarget(history, 'run-t2')).toMatchObject({ ok: true, to: { release: { tag: 't2' } } });
    expect(rollbackTarget(history, '1aaaaaa')).toMatchObject({ ok: true, to: { release: { tag: 't1' } } });
  });

  it.each([
    [[], undefined, 'nothing has been deployed there yet'],
    [[deployment('t1', 'sha256:1', 'succeeded')], undefined, 'there is no earlier release to go back to'],
    [history, 't3b', 't3b is what runs there now'],
    [history, 't4', 'no earlier successful deployment matches "t4" (give a tag, a sha or a run id from /slipway history)'],
  ] as const)('refuses with a reason (%#)', (h, ask, reason) => {
    expect(rollbackTarget(h, ask)).toEqual({ ok: false, reason });
  });
});

describe('commitsBetween', () => {
  const run = (id: string, at: string, shas: string[], branch = 'main'): Run =>
    newRun(
      {
        id,
        service: 's',
        trigger: 'push',
        branch,
        sha: shas.at(-1) ?? 'x',
        author: { name: 'A' },
        triggeredBy: { name: 'a' },
        commits: shas.map((sha) => ({ sha, message: `commit ${sha}`, author: { name: 'A' } })),
        cloneUrl: '',
        target: { environment: 'staging', ephemeral: false },
        stages: [],
      },
      new Date(at),
    );
  const runs = [
    run('r1', '2026-11-20T10:00:00Z', ['c1']),
    run('r2', '2026-11-20T11:00:00Z', ['c2', 'c3']),
    run('other', '2026-11-20T11:30:00Z', ['x1'], 'dev/x'),
    run('r3', '2026-11-20T12:00:00Z', ['c3', 'c4']),
  ];

  it('lists what the runs after the current release brought, newest first, once each', () => {
    expect(commitsBetween(runs, 'r1', runs[3]!).map((c) => c.sha)).toEqual(['c4', 'c3', 'c2']);
  });

  it('lists everything up to the candidate when nothing is deployed yet', () => {
    expect(commitsBetween(runs, undefined, runs[1]!).map((c) => c.sha)).toEqual(['c3', 'c2', 'c1']);
  });
});
