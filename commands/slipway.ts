import { section } from '../src/core/messages/blocks.js';
import { helpMessage } from '../src/core/messages/help-message.js';
import { type SlashCommand, words } from './slash-command.js';

/**
 * `/slipway help`, and `/slipway` alone: every command with an example. A subcommand slipway does not know
 * gets the same list, under a line saying so, since the list is what the person needs next.
 */
export const slipwayCommand: SlashCommand<{ unknown?: string }> = {
  name: '/slipway',
  usage: '/slipway help',
  example: '/slipway help',
  summary: 'this list',
  args: words.transform((parts) => (parts.length === 0 || (parts.length === 1 && parts[0] === 'help') ? {} : { unknown: parts[0] })),
  async run({ unknown }, deps) {
    const help = helpMessage(deps.commands);
    if (unknown === undefined) return { ...help, visibility: 'ephemeral' };
    const problem = `:warning: slipway has no command "${unknown.slice(0, 40)}".`;
    return { text: `${problem}\n${help.text}`, blocks: [section(problem), ...(help.blocks ?? [])], visibility: 'ephemeral', usage: true };
  },
};
