import { describe, expect, it } from 'vitest';
import { failureAlert, mention } from '../../../../src/core/messages/failure-alert.js';
import { formatSeconds, runMessage } from '../../../../src/core/messages/run-message.js';
import { failRun, newRun, passStage, type Run, startStage } from '../../../../src/core/run.js';

const run = (): Run =>
  newRun(
    {
      id: 'sample-abc',
      service: 'sample',
      trigger: 'push',
      branch: 'dev/<!channel>',
      sha: 'abcdef1234567890abcdef1234567890abcdef12',
      author: { name: 'Ann <b>', email: 'ann@example.com' },
      triggeredBy: { name: 'ann' },
      commits: [{ sha: 'abcdef1234567890abcdef1234567890abcdef12', message: 'Fix <@U999> ping\nbody', author: { name: 'Ann' } }],
      cloneUrl: 'file:///srv/sample.git',
      target: { environment: 'staging', ephemeral: false },
      stages: ['checkout', 'test', 'deploy:staging'],
    },
    new Date('2026-11-20T10:00:00Z'),
  );

describe('runMessage', () => {
  it('shows each stage with its status, duration and summary, and escapes text from the commit', () => {
    let r = startStage(run(), 'checkout', new Date('2026-11-20T10:00:00Z'));
    r = passStage(r, 'checkout', new Date('2026-11-20T10:00:03Z'), 'abcdef1');
    r = startStage(r, 'test', new Date('2026-11-20T10:00:03Z'));
    const message = runMessage(r, { runUrl: 'https://slipway.example.com/runs/sample-abc' });
    const blocks = JSON.stringify(message.blocks);
    // The notification text is escaped too: Slack would read <!channel> there as well.
    expect(message.text).toBe('sample dev/&lt;!channel&gt; @ abcdef1: running (test)');
    expect(blocks).toContain(':white_check_mark: checkout 3s — abcdef1');
    expect(blocks).toContain(':arrows_counterclockwise: test');
    expect(blocks).toContain(':white_circle: deploy:staging');
    expect(blocks).toContain('`dev/&lt;!channel&gt;`');
    expect(blocks).toContain('Fix &lt;@U999&gt; ping');
    expect(blocks).not.toContain('<!channel>');
    expect(blocks).toContain('<https://slipway.example.com/runs/sample-abc|details>');
  });

  it('formats durations', () => {
    expect([formatSeconds(5), formatSeconds(65), formatSeconds(600)]).toEqual(['5s', '1m05s', '10m00s']);
  });
});

describe('failureAlert', () => {
  it('names the stage and cause, mentions the author, shows the log tail and carries Retry', () => {
    const failed = failRun(run(), 'test', '1 of 2 tests failed: a › b', new Date());
    const alert = failureAlert(failed, { authorMention: mention('U0ANN', 'Ann'), log: ['line 1', '```oops```'] });
    const blocks = JSON.stringify(alert.blocks);
    expect(alert.text).toContain('failed at test: 1 of 2 tests failed');
    expect(blocks).toContain('Change by <@U0ANN>');
    expect(blocks).toContain('line 1');
    expect(blocks).not.toContain('```oops```');
    expect(blocks).toContain('"action_id":"retry_run","text":{"type":"plain_text","text":"Retry"},"value":"sample-abc"');
  });

  it('falls back to the author’s escaped name when Slack does not know their email', () => {
    expect(mention(undefined, 'Ann <b>')).toBe('Ann &lt;b&gt;');
  });

  it('keeps the log tail within a section’s 3,000 characters', () => {
    const failed = failRun(run(), 'test', 'boom', new Date());
    const alert = failureAlert(failed, { authorMention: 'Ann', log: Array.from({ length: 30 }, () => 'x'.repeat(200)) });
    const section = alert.blocks?.[1];
    expect(section && 'text' in section ? section.text.text.length : 0).toBeLessThanOrEqual(3_000);
  });
});
