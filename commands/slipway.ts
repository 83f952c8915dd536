import { z } from 'zod';
import { helpMessage } from '../src/core/messages/help-message.js';
import { type SlashCommand, words } from './slash-command.js';

/** `/slipway help`: every command with an example. */
export const slipwayCommand: SlashCommand<'help'> = {
  name: '/slipway',
  usage: '/slipway help',
  example: '/slipway help',
  summary: 'this list',
  args: words.pipe(
    z.union([z.tuple([]), z.tuple([z.literal('help')])], {
      error: (issue) => `Unknown request "${String((issue.input as string[] | undefined)?.join(' ') ?? '')}".`,
    }),
  ).transform(() => 'help' as const),
  async run(_args, deps) {
    return { ...helpMessage(deps.commands), visibility: 'ephemeral' };
  },
};
