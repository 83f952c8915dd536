import { describe, expect, it } from 'vitest';
import { runSummaryMessage } from '../../../../src/core/messages/run-summary.js';
import type { Run } from '../../../../src/core/run.js';

const run = {
  id: 'shop-1',
  service: 'shop',
  branch: 'main',
  sha: 'df845d5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  release: { tag: 'main-df845d5', digest: 'sha256:1' },
  stages: [
    { name: 'deploy:staging', status: 'passed' },
    { name: 'approval:production', status: 'passed', summary: 'approved by <@U0BOB>' },
    { name: 'deploy:production', status: 'passed' },
  ],
} as unknown as Run;

describe('runSummaryMessage', () => {
  it('says where the release is now, with the run page link', () => {
    const message = runSummaryMessage(run, { runUrl: 'https://slipway.example/runs/shop-1' });
    expect(JSON.stringify(message.blocks)).toContain(':checkered_flag: Passed: `main-df845d5` is in *staging*, *production*. <https://slipway.example/runs/shop-1|details>');
  });

  it('says what was left out and why, mentions kept and the rest escaped, within a section', () => {
    const skipped = { ...run, stages: [run.stages[0]!, { name: 'approval:production', status: 'skipped', summary: `quarantined by <@U0BOB>: <!channel> ${'x'.repeat(5_000)}` }] } as Run;
    const text = (runSummaryMessage(skipped).blocks![0] as { text: { text: string } }).text.text;
    expect(text).toContain('approval:production left out: quarantined by <@U0BOB>: &lt;!channel&gt;');
    expect(text.length).toBeLessThanOrEqual(3_000);
  });
});
