import type { CommandHelp } from '../src/core/messages/help-message.js';
import { slipwayCommand } from './slipway.js';
import type { SlashCommand } from './slash-command.js';
import { statusCommand } from './status.js';

/** Every slash command slipway answers; `manifest.yml` lists the same names. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argument type
export const commands: readonly SlashCommand<any>[] = [slipwayCommand, statusCommand];

export const commandHelp: readonly CommandHelp[] = commands.map(({ usage, example, summary }) => ({ usage, example, summary }));
