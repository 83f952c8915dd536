import { describe, expect, it } from 'vitest';
import { commandHelp, commands } from '../../../commands/index.js';
import { resolveCommand } from '../../../commands/resolve-command.js';
import { APPROVER, commandHarness, DEVELOPER, RANDOM_CHANNEL } from './command-harness.js';

/** Longer than any name slipway takes (a branch has at most 244 characters). */
const longWord = 'x'.repeat(300);

describe('/slipway help', () => {
  it.each(['', 'help'])('"/slipway %s" lists every command with an example', async (text) => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', text, DEVELOPER);

    expect(reply.visibility).toBe('ephemeral');
    expect(reply.usage).toBeUndefined();
    for (const command of commandHelp) expect(reply.text).toContain(command.usage);
  });

  it('an unknown subcommand gets the list under a line saying so, and nothing else happens', async () => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', 'stauts shop', DEVELOPER);

    expect(reply.usage).toBe(true);
    expect(reply.text.split('\n')[0]).toBe(':warning: slipway has no command "stauts".');
    expect(reply.text).toContain('/slipway status [service]');
    expect(await h.ports.audit.list('shop')).toEqual([]);
  });
});

describe('what people type', () => {
  it('a name Slack cannot route to slipway is not resolved', () => {
    expect(resolveCommand(commands, '/status', '')).toBeUndefined();
  });

  // Each command's parse and lookup: a mistake is a usage message, never an exception or a change.
  it.each([
    ['/deploy', longWord],
    ['/deploy', `main to ${longWord}`],
    ['/deploy', 'main to staging nope'],
    ['/deploy', 'why nope staging production'],
    ['/deploy', 'force reason: x'],
    ['/rollback', 'staging production'],
    ['/rollback', longWord],
    ['/slipway', 'status a b'],
    ['/slipway', `history ${longWord}`],
    ['/slipway', 'lock'],
    ['/slipway', 'unlock'],
    ['/slipway', 'cancel'],
    ['/slipway', 'freeze production'],
    ['/slipway', 'unfreeze'],
    ['/slipway', 'why qa'],
    ['/slipway', 'unquarantine qa x'],
    ['/slipway', `help ${longWord}`],
  ])('%s %s is answered with a usage message and changes nothing', async (slash, text) => {
    const h = commandHarness();

    const reply = await h.invoke(slash, text, APPROVER);

    expect(reply).toMatchObject({ visibility: 'ephemeral', usage: true });
    expect(reply.text.length).toBeLessThan(4_000);
    expect(await h.ports.audit.list('shop')).toEqual([]);
    expect(h.ports.queue.jobs).toEqual([]);
  });

  it.each([
    ['/deploy', 'main'],
    ['/deploy', 'why'],
    ['/rollback', ''],
    ['/slipway', 'history'],
    ['/slipway', 'lock production'],
    ['/slipway', 'unlock production'],
    ['/slipway', 'freeze production for 1h reason: x'],
    ['/slipway', 'unfreeze production'],
    ['/slipway', 'why'],
    ['/slipway', 'unquarantine'],
  ])('%s %s from a channel the service does not allow is refused as it is, without the usage', async (slash, text) => {
    const h = commandHarness();

    const reply = await h.invoke(slash, text, APPROVER, RANDOM_CHANNEL);

    expect(reply).toEqual({ text: 'shop takes commands and buttons only in #shop or <#C0OPS>: use one of those.', visibility: 'ephemeral' });
    expect(await h.ports.locks.list('shop')).toEqual([]);
    expect(await h.ports.freezes.get('shop', 'production')).toBeUndefined();
  });

  it('the console, which has no channel, may command every service', async () => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', 'lock production', DEVELOPER, null);

    expect(reply.text).toBe(':lock: <@UDEVELOPER> locked shop production.');
  });
});
