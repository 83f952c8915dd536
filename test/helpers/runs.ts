import { type NewRun, newRun, type Run, type StageName } from '../../src/core/run.js';

/** A run as a push would create it; tests override what they look at. */
export function aRun(overrides: Partial<NewRun> & { stages?: readonly StageName[] } = {}, at = new Date('2026-11-20T10:00:00Z')): Run {
  return newRun(
    {
      id: 'shop-abc',
      service: 'shop',
      trigger: 'push',
      branch: 'main',
      sha: 'a'.repeat(40),
      author: { name: 'Ann' },
      triggeredBy: { name: 'ann' },
      commits: [],
      cloneUrl: 'file:///srv/shop.git',
      target: { environment: 'staging', ephemeral: false },
      stages: ['checkout', 'deploy:staging'],
      ...overrides,
    },
    at,
  );
}
