import { describe, expect, it } from 'vitest';
import { failRun } from '../../../src/core/run.js';
import { aRun } from '../../helpers/runs.js';
import { runPage } from '../../../src/core/run-page.js';

describe('runPage', () => {
  it('escapes everything that comes from outside: branch, commit messages, logs', () => {
    const run = failRun(
      aRun({
        branch: 'dev/<script>alert(1)</script>',
        author: { name: 'Eve "quotes"' },
        triggeredBy: { name: 'eve' },
        commits: [{ sha: 'a'.repeat(40), message: '<img src=x onerror=alert(1)>', author: { name: 'Eve' } }],
        stages: ['checkout', 'test'],
      }),
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
