import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commands } from '../../commands/index.js';
import { resolveCommand, slackCommandNames } from '../../commands/resolve-command.js';

const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8'));

/**
 * Slack's own slash commands (https://slack.com/help/articles/201259356): an app may not take these names,
 * and a manifest declaring one is refused.
 */
const SLACK_BUILT_INS = [
  '/active', '/apps', '/archive', '/away', '/call', '/collapse', '/dm', '/dnd', '/expand', '/feed', '/feedback', '/invite',
  '/invite_people', '/join', '/kick', '/leave', '/me', '/msg', '/mute', '/open', '/prefs', '/remind', '/remove', '/rename',
  '/search', '/shortcuts', '/shrug', '/star', '/status', '/topic', '/who',
];

/** Bot token scopes Slack publishes (https://docs.slack.dev/reference/scopes), those an app like this could ask for. */
const SLACK_BOT_SCOPES = [
  'app_mentions:read', 'channels:history', 'channels:join', 'channels:manage', 'channels:read', 'chat:write', 'chat:write.customize',
  'chat:write.public', 'commands', 'emoji:read', 'files:read', 'files:write', 'groups:history', 'groups:read', 'groups:write',
  'im:history', 'im:read', 'im:write', 'links:read', 'links:write', 'mpim:history', 'mpim:read', 'mpim:write', 'pins:read',
  'pins:write', 'reactions:read', 'reactions:write', 'team:read', 'usergroups:read', 'usergroups:write', 'users.profile:read',
  'users:read', 'users:read.email', 'users:write',
];

const httpsUrl = z.string().max(3000).regex(/^https?:\/\//);

/** The parts of Slack's manifest schema (slackapi/manifest-schema, v1) that slipway's manifest uses. */
const slackManifest = z.strictObject({
  display_information: z.strictObject({
    name: z.string().min(1).max(35),
    description: z.string().min(1).max(140).optional(),
    background_color: z.string().regex(/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/).optional(),
    long_description: z.string().min(175).max(4000).optional(),
  }),
  features: z.strictObject({
    bot_user: z.strictObject({ display_name: z.string().min(1).max(80), always_online: z.boolean().optional() }),
    slash_commands: z
      .array(
        z.strictObject({
          // A slash, then at most 31 lower-case letters, digits, `-` or `_`: no `!`, no capitals.
          command: z
            .string()
            .regex(/^\/[a-z0-9_-]{1,31}$/, 'a command is / and 1 to 31 lower-case letters, digits, - or _')
            .refine((c) => !SLACK_BUILT_INS.includes(c), 'is one of Slack\'s built-in commands'),
          url: httpsUrl,
          description: z.string().min(1).max(2000),
          usage_hint: z.string().min(1).max(1000).optional(),
          should_escape: z.boolean().optional(),
        }),
      )
      .min(1)
      .max(50)
      .refine((cs) => new Set(cs.map((c) => c.command)).size === cs.length, 'a command is declared twice'),
  }),
  oauth_config: z.strictObject({
    scopes: z.strictObject({
      bot: z.array(z.enum(SLACK_BOT_SCOPES as [string, ...string[]])).max(255).refine((s) => new Set(s).size === s.length, 'a scope is listed twice'),
    }),
  }),
  settings: z.strictObject({
    interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: httpsUrl.max(3500) }),
    org_deploy_enabled: z.boolean(),
    socket_mode_enabled: z.boolean(),
    token_rotation_enabled: z.boolean(),
  }),
});

describe('manifest.yml', () => {
  it('is a manifest Slack accepts: required fields, lengths, command names, no built-in command, scopes that exist', () => {
    const parsed = slackManifest.safeParse(manifest);
    expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
  });

  it('the schema refuses what Slack refuses', () => {
    const withCommand = (command: string) => ({
      ...manifest,
      features: { ...manifest.features, slash_commands: [{ ...manifest.features.slash_commands[0], command }] },
    });
    for (const bad of ['/status', '/deploy!', '/Deploy', 'deploy', `/${'a'.repeat(32)}`, '/']) {
      expect(slackManifest.safeParse(withCommand(bad)).success, bad).toBe(false);
    }
    expect(slackManifest.safeParse(withCommand(`/${'a'.repeat(31)}`)).success).toBe(true);
    expect(slackManifest.safeParse({ ...manifest, display_information: { name: 'x'.repeat(36) } }).success).toBe(false);
    expect(slackManifest.safeParse({ ...manifest, oauth_config: { scopes: { bot: ['chat:writes'] } } }).success).toBe(false);
  });

  it('declares exactly the slash commands slipway answers, all on the one Request URL', () => {
    const declared = manifest.features.slash_commands as { command: string; url: string }[];
    expect(declared.map((c) => c.command).sort()).toEqual(slackCommandNames(commands).sort());
    // Every declared command reaches a handler, and every handler is reachable from a declared command.
    for (const c of declared) expect(resolveCommand(commands, c.command, ''), c.command).toBeDefined();
    for (const handler of commands) {
      const [slash = '', ...sub] = handler.name.split(' ');
      expect(declared.map((c) => c.command)).toContain(slash);
      expect(resolveCommand(commands, slash, sub.join(' '))?.command.name).toBe(handler.name);
    }
    for (const c of declared) expect(c.url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
  });

  it('keeps /deploy and /rollback, and every other command under /slipway', () => {
    const topLevel = [...new Set(commands.map((c) => c.name.split(' ')[0]))].sort();
    expect(topLevel).toEqual(['/deploy', '/rollback', '/slipway']);
    const slipway = manifest.features.slash_commands.find((c: { command: string }) => c.command === '/slipway');
    const subcommands = commands.filter((c) => c.name.startsWith('/slipway ')).map((c) => c.name.split(' ')[1]);
    expect(subcommands.sort()).toEqual(['cancel', 'freeze', 'history', 'lock', 'release', 'stats', 'status', 'unfreeze', 'unlock', 'unquarantine', 'why']);
    for (const sub of [...subcommands, 'help']) expect(slipway.usage_hint).toContain(sub);
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
