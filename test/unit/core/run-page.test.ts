import { describe, expect, it } from 'vitest';
import { failRun, newRun } from '../../../src/core/run.js';
import { runPage } from '../../../src/core/run-page.js';

describe('runPage', () => {
  it('escapes everything that comes from outside: branch, commit messages, logs', () => {
    const run = failRun(
      newRun(
        {
          id: 'shop-abc',
          service: 'shop',
          trigger: 'push',
          branch: 'dev/<script>alert(1)</script>',
          sha: 'a'.repeat(40),
          author: { name: 'Eve "quotes"' },
          triggeredBy: { name: 'eve' },
          commits: [{ sha: 'a'.repeat(40), message: '<img src=x onerror=alert(1)>', author: { name: 'Eve' } }],
          cloneUrl: '',
          target: { environment: 'staging', ephemeral: false },
          stages: ['checkout', 'test'],
        },
        new Date('2026-11-20T10:00:00Z'),
      ),
      'test',
      '<b>boom</b>',
      new Date('2026-11-20T10:00:05Z'),
    );
    const page = runPage(run, { test: ['<iframe src=evil>', 'plain line'] });
    expect(page).not.toMatch(/<script>|<img|<iframe|<b>boom/);
    expect(page).toContain('dev/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&lt;iframe src=evil&gt;\nplain line');
    expect(page).toContain('Eve &quot;quotes&quot;');
    expect(page).toContain('<details open><summary>test log (2 lines)</summary>');
  });
});
