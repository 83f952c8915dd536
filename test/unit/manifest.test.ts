import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';

const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8'));

describe('manifest.yml', () => {
  it('declares exactly the slash commands slipway answers, all on the one Request URL', () => {
    const declared = manifest.features.slash_commands as { command: string; url: string }[];
    expect(declared.map((c) => c.command).sort()).toEqual(commands.map((c) => c.name).sort());
    for (const c of declared) expect(c.url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
  });

  it('grants the scopes of every Web API method slipway calls, and no others', () => {
    const sources = ['src/queue/notifier.ts', 'src/intake/slack-app.ts', 'src/adapters/slack/slack-client.ts', 'src/adapters/slack/slack-directory.ts']
      .map((f) => readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8'))
      .join('\n');
    const scopeOf: Record<string, string[]> = {
      'chat.postMessage': ['chat:write'],
      'chat.update': ['chat:write'],
      'chat.postEphemeral': ['chat:write'],
      'users.lookupByEmail': ['users:read', 'users:read.email'],
      'usergroups.users.list': ['usergroups:read'],
      'conversations.list': ['channels:read', 'groups:read'],
      'files.uploadV2': ['files:write'],
      'views.open': [],
    };
    const called = Object.keys(scopeOf).filter((method) => sources.includes(`.${method}(`));
    expect(called.sort()).toEqual(Object.keys(scopeOf).sort());
    const needed = new Set(['commands', ...called.flatMap((m) => scopeOf[m]!)]);
    expect(new Set(manifest.oauth_config.scopes.bot)).toEqual(needed);
  });
});
