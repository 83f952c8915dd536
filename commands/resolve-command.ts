import type { SlashCommand } from './slash-command.js';

/**
 * The spellings from before the `/slipway` namespace, for workspaces that still declare them. Only names Slack
 * accepts for an app: `/status` is Slack's own and `/deploy!` is not a valid command name, so neither is here.
 */
export const COMMAND_ALIASES: Readonly<Record<`/${string}`, `/${string}`>> = {
  '/history': '/slipway history',
  '/lock': '/slipway lock',
  '/unlock': '/slipway unlock',
  '/cancel': '/slipway cancel',
  '/freeze': '/slipway freeze',
  '/unfreeze': '/slipway unfreeze',
  '/unquarantine': '/slipway unquarantine',
};

/**
 * Which command a Slack slash command and its text mean, and the text left for that command's arguments.
 * A command's name may hold a subcommand (`/slipway lock`, `/deploy force`): the longest name whose words
 * start the typed words wins, so `/deploy force …` is the forced deploy and `/deploy main` the plain one.
 */
export function resolveCommand<C extends Pick<SlashCommand<unknown>, 'name'>>(
  commands: readonly C[],
  slash: string,
  text: string,
): { command: C; text: string } | undefined {
  const invoked = COMMAND_ALIASES[slash as `/${string}`] ?? slash;
  const typed = `${invoked} ${text}`.trim().split(/\s+/);
  let best: { command: C; words: number } | undefined;
  for (const command of commands) {
    const name = command.name.split(' ');
    if (name.every((w, i) => typed[i] === w) && name.length > (best?.words ?? 0)) best = { command, words: name.length };
  }
  if (!best) return undefined;
  // The text after the subcommand, as typed: `reason: …` is free text and keeps its spacing.
  const subcommandWords = best.words - invoked.split(' ').length;
  return { command: best.command, text: text.trim().replace(new RegExp(`^(?:\\S+\\s*){${subcommandWords}}`), '') };
}

/** The slash commands Slack must route to slipway: each command's first word, and the kept old spellings. */
export function slackCommandNames(commands: readonly Pick<SlashCommand<unknown>, 'name'>[]): string[] {
  return [...new Set([...commands.map((c) => c.name.split(' ')[0]!), ...Object.keys(COMMAND_ALIASES)])];
}
