import { z } from 'zod';
import type { ServiceConfig } from '../src/core/config-schema.js';
import type { Message } from '../src/core/messages/blocks.js';
import type { CommandHelp } from '../src/core/messages/help-message.js';
import { usageMessage } from '../src/core/messages/usage-message.js';
import type { RunStore } from '../src/core/ports.js';

/** What a command may use. Commands start or read runs; they never reach Docker. */
export type CommandDeps = {
  services: readonly ServiceConfig[];
  runs: RunStore;
  /** Every registered command, for help. */
  commands: readonly CommandHelp[];
};

export type Invocation = { text: string; userId: string; channelId: string };

export type Reply = Message & { visibility: 'ephemeral' | 'in_channel' };

/** A user's mistake in a command's text: shown to them with the usage, never logged as an error. */
export class CommandInputError extends Error {}

export type SlashCommand<Args> = CommandHelp & {
  name: `/${string}`;
  /** Parses the text after the command; its error messages are shown to the user. */
  args: z.ZodType<Args, string>;
  run(args: Args, deps: CommandDeps, invocation: Invocation): Promise<Reply>;
};

/** Splits command text into words; Slack sends the text exactly as typed. */
export const words = z.string().transform((text) => text.trim().split(/\s+/).filter((w) => w !== ''));

/** Parses and runs one command; bad input becomes an ephemeral usage message, nothing else happens. */
export async function runCommand<Args>(
  command: SlashCommand<Args>,
  deps: CommandDeps,
  invocation: Invocation,
): Promise<Reply> {
  const parsed = command.args.safeParse(invocation.text);
  if (!parsed.success) {
    const problem = parsed.error.issues[0]?.message ?? 'could not read that';
    return { ...usageMessage(problem, command.usage, command.example), visibility: 'ephemeral' };
  }
  try {
    return await command.run(parsed.data, deps, invocation);
  } catch (error) {
    if (error instanceof CommandInputError) {
      return { ...usageMessage(error.message, command.usage, command.example), visibility: 'ephemeral' };
    }
    throw error;
  }
}

/** The service a command is about: named, or the only one configured. */
export function pickService(services: readonly ServiceConfig[], name: string | undefined): ServiceConfig {
  if (name === undefined) {
    if (services.length === 1 && services[0]) return services[0];
    throw new CommandInputError(`Name a service: ${services.map((s) => s.name).join(', ') || 'none is configured'}.`);
  }
  const service = services.find((s) => s.name === name);
  if (!service) {
    throw new CommandInputError(`Unknown service "${name}". Known: ${services.map((s) => s.name).join(', ') || 'none'}.`);
  }
  return service;
}
