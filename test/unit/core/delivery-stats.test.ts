import { describe, expect, it } from 'vitest';
import { deliveryStats, isFixCommit, median, parseWindow, type StatsRun } from '../../../src/core/delivery-stats.js';
import type { Deployment, DeploymentOutcome } from '../../../src/core/ports.js';

const NOW = new Date('2026-12-02T12:00:00Z');
const H = 3_600_000;
const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * H).toISOString();
const WINDOW = { days: 30, label: '30d' };

function deploy(runId: string, digest: string, hoursAgo: number, outcome: DeploymentOutcome = 'succeeded', by = 'ana'): Deployment {
  return {
    service: 'shop',
    environment: 'production',
    release: { sha: `${digest}`.padEnd(40, '0'), tag: `main-${digest}`, digest: `sha256:${digest}`, image: 'reg/shop' },
    port: 8080,
    runId,
    by,
    at: at(hoursAgo),
    outcome,
  };
}

function run(id: string, digest: string, commitHoursAgo: (number | undefined)[], extra: Partial<StatsRun> = {}): StatsRun {
  return {
    id,
    sha: digest.padEnd(40, '0'),
    trigger: 'push',
    createdAt: at(Math.max(0, ...commitHoursAgo.map((h) => h ?? 0)) - 0.5),
    commits: commitHoursAgo.map((h, i) => ({ sha: i === commitHoursAgo.length - 1 ? digest.padEnd(40, '0') : `c${i}`.padEnd(40, '0'), message: 'feat: more', author: { name: 'Ana' }, ...(h === undefined ? {} : { at: at(h) }) })),
    stages: [],
    ...extra,
  };
}

const stats = (history: Deployment[], runs: StatsRun[] = [], window = WINDOW) => deliveryStats('shop', 'production', history, runs, window, NOW);

describe('deliveryStats', () => {
  it('answers an empty history with zeros and no ratios or medians', () => {
    const s = stats([]);
    expect(s).toMatchObject({ deployments: 0, deploymentsPerDay: 0, changes: 0, failedChanges: 0, unrestored: 0 });
    expect(s.changeFailureRatio).toBeUndefined();
    expect(s.leadTime).toBeUndefined();
    expect(s.timeToRestore).toBeUndefined();
    expect(s.daily).toHaveLength(31);
    expect(s.daily.every((d) => d.good === 0 && d.failed === 0)).toBe(true);
  });

  it('counts succeeded changes per day and the lead time from each commit (median)', () => {
    // Three releases, each a day apart; commits made 2, 4 and 10 hours before their deployment.
    const history = [deploy('r3', 'c', 24), deploy('r2', 'b', 48), deploy('r1', 'a', 72)];
    const runs = [run('r1', 'a', [74]), run('r2', 'b', [52, 50]), run('r3', 'c', [34])];
    const s = stats(history, runs);
    expect(s.deployments).toBe(3);
    expect(s.deploymentsPerDay).toBeCloseTo(3 / 30);
    expect(s.changeFailureRatio).toBe(0);
    // samples: 2 h, 4 h, 2 h, 10 h → median 3 h
    expect(s.leadTime).toEqual({ medianSeconds: 3 * 3600, samples: 4, fromPushTime: 0 });
    expect(s.daily.reduce((n, d) => n + d.good, 0)).toBe(3);
  });

  it('uses the time slipway got the push for commits from before commit times were recorded, and says how many', () => {
    const history = [deploy('r1', 'a', 10)];
    const old = run('r1', 'a', [undefined], { createdAt: at(16) });
    expect(stats(history, [old]).leadTime).toEqual({ medianSeconds: 6 * 3600, samples: 1, fromPushTime: 1 });
  });

  it('takes the commits of the push run of the same sha when the deploying run has none (/deploy)', () => {
    const history = [deploy('d1', 'a', 10)];
    const runs = [run('d1', 'a', [], { trigger: 'deploy' }), run('p1', 'a', [30])];
    expect(stats(history, runs).leadTime?.medianSeconds).toBe(20 * 3600);
  });

  it('counts a failed deployment as a failed change, restored by the next good deployment', () => {
    const history = [deploy('r2', 'b', 20), deploy('r1', 'b', 26, 'failed'), deploy('r0', 'a', 100)];
    const s = stats(history, [run('r0', 'a', [101]), run('r1', 'b', [27]), run('r2', 'b', [27])]);
    expect(s.changes).toBe(3);
    expect(s.deployments).toBe(2);
    expect(s.failures).toEqual({ failed: 1, 'rolled back': 0, 'needed a fix': 0 });
    expect(s.changeFailureRatio).toBeCloseTo(1 / 3);
    expect(s.timeToRestore).toEqual({ medianSeconds: 6 * 3600, samples: 1 });
  });

  it('counts a rolled-back change (an earlier digest placed again) as failed, and the rollback is no change', () => {
    // a deployed, b deployed, then a again by slipway's automatic rollback 1 hour later, then c.
    const history = [
      deploy('r3', 'c', 5),
      deploy('r2', 'a', 9, 'succeeded', 'slipway (automatic rollback)'),
      deploy('r2', 'b', 10),
      deploy('r1', 'a', 50),
    ];
    const s = stats(history, [run('r1', 'a', [51]), run('r2', 'b', [11]), run('r3', 'c', [6])]);
    expect(s.changes).toBe(3);
    expect(s.failures['rolled back']).toBe(1);
    expect(s.changeFailureRatio).toBeCloseTo(1 / 3);
    expect(s.timeToRestore).toEqual({ medianSeconds: 3600, samples: 1 });
  });

  it('counts a change whose checks failed and that slipway then rolled back once, as rolled back', () => {
    const checksFailed = run('r2', 'b', [11], { stages: [{ name: 'synthetics:production', status: 'failed' }] });
    const history = [deploy('r2', 'a', 9.5, 'succeeded', 'slipway (automatic rollback)'), deploy('r2', 'b', 10), deploy('r1', 'a', 50)];
    const s = stats(history, [run('r1', 'a', [51]), checksFailed]);
    expect(s.failures).toEqual({ failed: 0, 'rolled back': 1, 'needed a fix': 0 });
    expect(s.changeFailureRatio).toBe(0.5);
    expect(s.timeToRestore).toEqual({ medianSeconds: 1800, samples: 1 });
  });

  it('treats a /rollback run as a restore even to a digest never seen in this history', () => {
    const history = [deploy('rb', 'z', 2), deploy('r1', 'b', 6)];
    const s = stats(history, [run('rb', 'z', [], { trigger: 'rollback' }), run('r1', 'b', [7])]);
    expect(s.changes).toBe(1);
    expect(s.failures['rolled back']).toBe(1);
    expect(s.timeToRestore?.medianSeconds).toBe(4 * 3600);
  });

  it('counts a change as needing a fix when its checks failed after the deploy, or a fix followed within a day', () => {
    const checksFailed = run('r1', 'a', [30], { stages: [{ name: 'synthetics:production', status: 'failed' }] });
    const fixed = run('r3', 'c', [3]);
    fixed.commits[0]!.message = 'fix(cart): totals again';
    const history = [deploy('r3', 'c', 2), deploy('r2', 'b', 10), deploy('r1', 'a', 29)];
    const s = stats(history, [checksFailed, run('r2', 'b', [11]), fixed]);
    expect(s.failures['needed a fix']).toBe(2);
    expect(s.failedChanges).toBe(2);
    // b failed too, so neither is restored before c (2 h ago): a after 27 h, b after 8 h
    expect(s.timeToRestore).toEqual({ medianSeconds: ((27 + 8) / 2) * 3600, samples: 2 });
  });

  it('does not blame a change for a fix deployed more than a day after it', () => {
    const fix = run('r2', 'b', [3]);
    fix.commits[0]!.message = 'fix: an old bug';
    const s = stats([deploy('r2', 'b', 2), deploy('r1', 'a', 40)], [run('r1', 'a', [41]), fix]);
    expect(s.failedChanges).toBe(0);
  });

  it('counts a failure not restored yet as unrestored, outside the median', () => {
    const s = stats([deploy('r1', 'b', 3, 'failed'), deploy('r0', 'a', 40)], [run('r0', 'a', [41]), run('r1', 'b', [4])]);
    expect(s.unrestored).toBe(1);
    expect(s.timeToRestore).toBeUndefined();
  });

  it('leaves out what is older than the window, teardowns and the same digest placed again', () => {
    const history = [
      deploy('r4', 'b', 1, 'torn down'),
      deploy('r3', 'b', 5),
      deploy('r2', 'b', 6),
      deploy('r1', 'a', 24 * 40),
    ];
    const s = stats(history, [run('r1', 'a', [24 * 40 + 1]), run('r2', 'b', [7]), run('r3', 'b', [7])], { days: 7, label: '7d' });
    expect(s.changes).toBe(1);
    expect(s.deployments).toBe(1);
    expect(s.daily).toHaveLength(8);
  });

  it('ignores deployments of other services or environments and unreadable times', () => {
    const other = { ...deploy('x', 'x', 2), environment: 'staging' };
    const broken = { ...deploy('y', 'y', 2), at: 'not a time' };
    expect(stats([other, broken]).changes).toBe(0);
  });
});

describe('parseWindow', () => {
  it.each([
    ['7d', 7],
    ['30d', 30],
    ['12w', 84],
    [' 1D ', 1],
    ['365d', 365],
  ])('reads %s as %i days', (text, days) => {
    expect(parseWindow(text)).toMatchObject({ ok: true, window: { days } });
  });

  it.each([['0d'], ['400d'], ['53w'], ['3m'], ['week'], ['-7d'], ['7']])('refuses %s with what to give', (text) => {
    const parsed = parseWindow(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/7d|1d to 365d/);
  });
});

describe('helpers', () => {
  it('median', () => {
    expect(median([])).toBeUndefined();
    expect(median([5])).toBe(5);
    expect(median([9, 1, 4, 2])).toBe(3);
  });

  it.each([
    ['fix: totals', true],
    ['fix(cart)!: drop the old total', true],
    ['Revert "feat: new checkout"', true],
    ['feat: new checkout', false],
    ['Fixed a thing', false],
  ])('isFixCommit(%s) is %s', (message, expected) => {
    expect(isFixCommit(message)).toBe(expected);
  });
});
