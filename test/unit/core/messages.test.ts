import { describe, expect, it } from 'vitest';
import { code, escapeMrkdwn } from '../../../src/core/messages/blocks.js';
import { helpMessage } from '../../../src/core/messages/help-message.js';
import { usageMessage } from '../../../src/core/messages/usage-message.js';

describe('Slack text from outside', () => {
  it.each([
    ['<!channel> deploy', '&lt;!channel&gt; deploy'],
    ['<https://evil.example|click>', '&lt;https://evil.example|click&gt;'],
    ['a & b', 'a &amp; b'],
  ])('escapes %s', (text, escaped) => {
    expect(escapeMrkdwn(text)).toBe(escaped);
  });

  it('keeps code spans closed whatever the text holds', () => {
    expect(code('feat`<!here>`')).toBe('`featˋ&lt;!here&gt;ˋ`');
  });
});

describe('help and usage', () => {
  it('lists each command with its example', () => {
    const message = helpMessage([{ usage: '/status [service]', example: '/status discounts', summary: 'what runs where' }]);
    expect(JSON.stringify(message.blocks)).toContain('`/status discounts`');
  });

  it('says what was wrong, the usage and an example', () => {
    expect(usageMessage('Unknown service "x".', '/status [service]', '/status discounts').text).toBe(
      'Unknown service "x".\nUsage: `/status [service]`\nExample: `/status discounts`',
    );
  });
});
