import { describe, expect, it } from 'vitest';
import { channelDirectory, type ConversationsClient } from '../../../src/adapters/slack/slack-directory.js';

/** conversations.list as Slack answers it, one channel a page. */
function client(channels: Record<string, string>): ConversationsClient & { calls: number } {
  const all = Object.entries(channels).map(([id, name]) => ({ id, name }));
  const fake = {
    calls: 0,
    conversations: {
      list: async ({ cursor }: { cursor?: string }) => {
        fake.calls += 1;
        const at = Number(cursor ?? 0);
        return { ok: true, channels: all.slice(at, at + 1), response_metadata: { next_cursor: at + 1 < all.length ? String(at + 1) : '' } };
      },
    },
  };
  return fake;
}

function logger() {
  const warnings: { meta: object; message: string }[] = [];
  return { warnings, warn: (meta: object, message: string) => warnings.push({ meta, message }) };
}

describe('channelDirectory', () => {
  it('names a channel by the name Slack gives its id, not the one the request carries', async () => {
    const directory = channelDirectory(client({ C0DEPLOYS: 'deploys', C0RANDOM: 'random' }), logger());
    expect(await directory.verify({ id: 'C0RANDOM', name: 'deploys' })).toEqual({ id: 'C0RANDOM', name: 'random' });
    expect(await directory.verify({ id: 'C0FORGED', name: 'deploys' })).toEqual({ id: 'C0FORGED', name: undefined });
  });

  it('tells the operator once about each configured #name Slack does not list, ids aside', async () => {
    const log = logger();
    let now = 0;
    const directory = channelDirectory(client({ C0DEPLOYS: 'deploys' }), log, { now: () => now, configured: ['#deploys', '#hidden-ops', 'C0BYID'] });
    await directory.verify({ id: 'C0DEPLOYS' });
    now += 10 * 60_000; // the list is read again: the same channel is not told twice
    await directory.verify({ id: 'C0DEPLOYS' });
    expect(log.warnings).toEqual([{ meta: { channel: '#hidden-ops' }, message: expect.stringContaining('commands and buttons from it are refused') }]);
  });
});
