import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { resolveCommand } from '../../commands/resolve-command.js';

const resolve = (slash: string, text: string) => {
  const r = resolveCommand(commands, slash, text);
  return r && [r.command.name, r.text];
};

describe('resolveCommand', () => {
  it('finds a /slipway subcommand and leaves its arguments as typed', () => {
    expect(resolve('/slipway', 'lock production reason:  audit  week')).toEqual(['/slipway lock', 'production reason:  audit  week']);
    expect(resolve('/slipway', '  status ')).toEqual(['/slipway status', '']);
    expect(resolve('/slipway', 'why discounts production')).toEqual(['/slipway why', 'discounts production']);
  });

  it('takes the longest name: /deploy force is the forced deploy, /deploy <branch> the plain one', () => {
    expect(resolve('/deploy', 'force main to production reason: down')).toEqual(['/deploy force', 'main to production reason: down']);
    expect(resolve('/deploy', 'main to production')).toEqual(['/deploy', 'main to production']);
    expect(resolve('/deploy', 'why')).toEqual(['/deploy', 'why']);
  });

  it('sends help, nothing and unknown subcommands to /slipway itself, which lists the commands', () => {
    expect(resolve('/slipway', '')).toEqual(['/slipway', '']);
    expect(resolve('/slipway', 'help')).toEqual(['/slipway', 'help']);
    expect(resolve('/slipway', 'stauts')).toEqual(['/slipway', 'stauts']);
  });

  it('keeps the old spellings Slack allows, and not those it does not', () => {
    expect(resolve('/lock', 'production')).toEqual(['/slipway lock', 'production']);
    expect(resolve('/unquarantine', '')).toEqual(['/slipway unquarantine', '']);
    expect(resolve('/status', '')).toBeUndefined();
    expect(resolve('/deploy!', 'main reason: x')).toBeUndefined();
    expect(resolve('/nope', '')).toBeUndefined();
  });
});
