import { code, context, type Message, section } from './blocks.js';

export type CommandHelp = { usage: string; example: string; summary: string };

export function helpMessage(commands: readonly CommandHelp[]): Message {
  const lines = commands.map((c) => `• ${code(c.usage)} — ${c.summary}\n   e.g. ${code(c.example)}`);
  return {
    text: `slipway commands:\n${commands.map((c) => c.usage).join('\n')}`,
    blocks: [
      section('*slipway* takes a commit from `git push` to production. Commands:'),
      section(lines.join('\n')),
      context('Pushes to configured branches start runs by themselves; approvals happen with the buttons on a run.'),
    ],
  };
}
