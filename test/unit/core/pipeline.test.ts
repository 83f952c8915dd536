import { describe, expect, it } from 'vitest';
import { needsBuild, resumePoint, reuseRelease } from '../../../src/core/pipeline.js';
import { aRun } from '../../helpers/runs.js';
import { failRun, nextStage, parkRun, passStage, type Run, startStage, supersedeRun } from '../../../src/core/run.js';

const T0 = new Date('2026-11-20T10:00:00Z');
const base = (): Run =>
  aRun({ id: 'sample-abc', service: 'sample', stages: ['checkout', 'test', 'build', 'push', 'deploy:staging', 'approval:production', 'deploy:production'] }, T0);

const statuses = (run: Run) => run.stages.map((s) => `${s.name}=${s.status}`);
const passed = (run: Run, ...names: string[]) => names.reduce((r, n) => passStage(startStage(r, n, T0), n, T0), run);

describe('run transitions', () => {
  it('moves through stages, and a failure skips the rest', () => {
    let run = passed(base(), 'checkout');
    run = failRun(startStage(run, 'test', T0), 'test', '2 tests failed', T0);
    expect(run.status).toBe('failed');
    expect(run.failure).toEqual({ stage: 'test', cause: '2 tests failed' });
    expect(statuses(run)).toEqual([
      'checkout=passed', 'test=failed', 'build=skipped', 'push=skipped', 'deploy:staging=skipped', 'approval:production=skipped', 'deploy:production=skipped',
    ]);
    expect(nextStage(run)?.name).toBe('test');
  });

  it('parks at an approval gate', () => {
    const run = parkRun(passed(base(), 'checkout', 'test', 'build', 'push', 'deploy:staging'), 'approval:production', T0);
    expect(run.status).toBe('waiting');
    expect(run.stages.find((s) => s.name === 'approval:production')?.status).toBe('running');
  });

  it('says who superseded a run', () => {
    const run = supersedeRun(passed(base(), 'checkout'), 'sample-newer', T0);
    expect(run.status).toBe('superseded');
    expect(run.stages.find((s) => s.name === 'deploy:staging')).toMatchObject({ status: 'skipped', summary: 'superseded by sample-newer' });
  });
});

describe('resumePoint', () => {
  it('redoes the source stages as a block when one of them did not finish', () => {
    const run = startStage(passed(base(), 'checkout'), 'test', T0);
    expect(statuses(resumePoint(run)).slice(0, 4)).toEqual(['checkout=pending', 'test=pending', 'build=pending', 'push=pending']);
  });

  it('redoes the build when its push did not finish: the worker taking it over may build on another engine', () => {
    const run = startStage(passed(base(), 'checkout', 'test', 'build'), 'push', T0);
    expect(statuses(resumePoint(run)).slice(0, 5)).toEqual(['checkout=pending', 'test=pending', 'build=pending', 'push=pending', 'deploy:staging=pending']);
  });

  it('resumes at deploy once the release is pushed', () => {
    const run = startStage(passed(base(), 'checkout', 'test', 'build', 'push'), 'deploy:staging', T0);
    expect(resumePoint(run)).toBe(run);
  });
});

describe('reuseRelease (build once)', () => {
  it('skips every build stage and carries the release’s digest', () => {
    const run = reuseRelease(base(), { image: 'r/sample', tag: 'main-aaaaaaa', digest: 'sha256:1' }, T0);
    expect(run.release).toEqual({ image: 'r/sample', tag: 'main-aaaaaaa', digest: 'sha256:1', reused: true });
    expect(statuses(run).slice(0, 5)).toEqual(['checkout=skipped', 'test=skipped', 'build=skipped', 'push=skipped', 'deploy:staging=pending']);
    expect(needsBuild(run)).toBe(false);
    expect(needsBuild(base())).toBe(true);
  });
});
