import { deployWhy } from './deploy-why.js';
import { type SlashCommand, words } from './slash-command.js';

/** `/slipway why [service] [env]`: the same answer as `/deploy why`, where the other questions are asked. */
export const whyCommand: SlashCommand<string[]> = {
  name: '/slipway why',
  usage: '/slipway why [service] [env]',
  example: '/slipway why discounts production',
  summary: 'what keeps the newest release out of an environment, one line each with what to do about it',
  args: words,
  run: (parts, deps, invocation) => deployWhy(parts, deps, invocation.channel),
};
