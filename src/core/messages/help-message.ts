import { code, context, type Message, section } from './blocks.js';
import { chunkLines, fitLines, LIMITS } from './limits.js';

export type CommandHelp = { usage: string; example: string; summary: string };

export function helpMessage(commands: readonly CommandHelp[]): Message {
  const lines = commands.map((c) => `• ${code(c.usage)} — ${c.summary}\n   e.g. ${code(c.example)}`);
  return {
    text: fitLines(['slipway commands:', ...commands.map((c) => c.usage)], LIMITS.notificationText, { what: 'commands', elsewhere: 'not shown' }),
    blocks: [
      section('*slipway* takes a commit from `git push` to production. Commands:'),
      ...chunkLines(lines).map((chunk) => section(chunk)),
      context('Pushes to configured branches start runs by themselves; approvals happen with the buttons on a run.'),
    ],
  };
}
