import { describe, expect, it } from 'vitest';
import { editDistance, nearest, parseCommandLine } from '../../src/cli-args.js';

describe('parseCommandLine', () => {
  it.each([
    [[], { kind: 'start', mode: 'all' }],
    [['server'], { kind: 'start', mode: 'server' }],
    [['worker'], { kind: 'start', mode: 'worker' }],
    [['--version'], { kind: 'version' }],
    [['worker', '-v'], { kind: 'version' }],
  ])('%j → %j', (args, expected) => {
    expect(parseCommandLine(args)).toEqual(expected);
  });

  it('gives the whole usage for slipway --help, and a subcommand its own', () => {
    expect(parseCommandLine(['--help'])).toMatchObject({ kind: 'help', text: expect.stringMatching(/^usage: slipway \[server\|worker\][\s\S]*slipway worker/) });
    expect(parseCommandLine(['server', '-h'])).toMatchObject({ kind: 'help', text: expect.stringMatching(/^usage: slipway server/) });
  });

  it.each([
    [['serve'], /no subcommand "serve"; did you mean "slipway server"\?/],
    [['wrker'], /did you mean "slipway worker"\?/],
    [['deploy'], /^slipway has no subcommand "deploy"$/],
    [['server', 'extra'], /takes no argument, got "extra"/],
    [['--verbose'], /Unknown option '--verbose'/],
  ])('%j is a mistake: %s', (args, message) => {
    const line = parseCommandLine(args);
    expect(line.kind).toBe('mistake');
    if (line.kind === 'mistake') expect(line.message).toMatch(message);
  });
});

describe('nearest', () => {
  it('suggests only within a few edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(nearest('SERVR', ['server', 'worker'])).toBe('server');
    expect(nearest('status', ['server', 'worker'])).toBeUndefined();
  });
});
