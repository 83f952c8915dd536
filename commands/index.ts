import type { CommandHelp } from '../src/core/messages/help-message.js';
import { cancelCommand } from './cancel.js';
import { deployCommand, forceDeployCommand } from './deploy.js';
import { freezeCommand, unfreezeCommand } from './freeze.js';
import { historyCommand } from './history.js';
import { lockCommand, unlockCommand } from './lock.js';
import { releaseCommand } from './release.js';
import { rollbackCommand } from './rollback.js';
import { slipwayCommand } from './slipway.js';
import type { SlashCommand } from './slash-command.js';
import { statsCommand } from './stats.js';
import { statusCommand } from './status.js';
import { unquarantineCommand } from './unquarantine.js';
import { whyCommand } from './why.js';

/**
 * Every command slipway answers. Slack knows only the first word of each name (`/slipway`, `/deploy`,
 * `/rollback`) and the old spellings kept in resolve-command.ts; `manifest.yml` declares exactly those.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argument type
export const commands: readonly SlashCommand<any>[] = [
  slipwayCommand,
  deployCommand,
  forceDeployCommand,
  rollbackCommand,
  statusCommand,
  historyCommand,
  statsCommand,
  lockCommand,
  unlockCommand,
  cancelCommand,
  freezeCommand,
  unfreezeCommand,
  whyCommand,
  unquarantineCommand,
  releaseCommand,
];

export const commandHelp: readonly CommandHelp[] = commands.map(({ usage, example, summary }) => ({ usage, example, summary }));
