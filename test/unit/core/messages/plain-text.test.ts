import { describe, expect, it } from 'vitest';
import type { Button } from '../../../../src/core/messages/blocks.js';
import { blocksAsText, plainText } from '../../../../src/core/messages/plain-text.js';

describe('plainText', () => {
  it.each([
    ['*hello* `main` @ `abc`', 'hello `main` @ `abc`'],
    ['Change by <@U0ANN> and <!subteam^S0REL>', 'Change by @U0ANN and @group:S0REL'],
    ['<https://x.example/runs/1?sig=a|details>', 'details (https://x.example/runs/1?sig=a)'],
    [':white_check_mark: test — &lt;ok&gt; &amp; done', '✔ test — <ok> & done'],
    ['_nothing yet_ → next', 'nothing yet → next'],
  ])('%s', (mrkdwn, text) => {
    expect(plainText(mrkdwn)).toBe(text);
  });
});

describe('plainText with the names the console knows', () => {
  const names = { ULOCAL: 'ada' };
  it.each([
    ['approved by <@ULOCAL>', 'approved by @ada'],
    ['locked by <@U0BOB>', 'locked by @U0BOB'],
    ['by <@U0BOB|bob>', 'by @bob'],
    ['ask <!subteam^S0REL|@release-managers>', 'ask @release-managers'],
    ['in <#C0DEPLOYS|deploys> and <#C0OPS>', 'in #deploys and #C0OPS'],
    ['<!here> and <!channel>', '@here and @channel'],
  ])('%s', (mrkdwn, text) => {
    expect(plainText(mrkdwn, names)).toBe(text);
  });

  it('names mentions in blocks too', () => {
    expect(blocksAsText([{ type: 'section', text: { type: 'mrkdwn', text: 'Approved by <@ULOCAL>' } }], () => 0, names)).toEqual(['Approved by @ada']);
  });
});

describe('blocksAsText', () => {
  it('numbers each button through the callback and keeps sections and context as lines', () => {
    const seen: Button[] = [];
    const lines = blocksAsText(
      [
        { type: 'section', text: { type: 'mrkdwn', text: '*Promote?*\nfrom → to' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'tests 3 passed' }] },
        {
          type: 'actions',
          elements: [
            { type: 'button', action_id: 'approve_promotion', text: { type: 'plain_text', text: 'Approve' }, value: 'r|production' },
            { type: 'button', action_id: 'reject_promotion', text: { type: 'plain_text', text: 'Reject' }, value: 'r|production' },
          ],
        },
      ],
      (button) => seen.push(button) + 6,
    );
    expect(lines).toEqual(['Promote?', 'from → to', 'tests 3 passed', '[7] Approve   [8] Reject']);
    expect(seen.map((b) => b.action_id)).toEqual(['approve_promotion', 'reject_promotion']);
  });
});
