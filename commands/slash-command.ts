import { z } from 'zod';
import { type Channel, channelAllows, channelRefusal } from '../src/core/channels.js';
import type { People, ServiceConfig } from '../src/core/config-schema.js';
import type { Message } from '../src/core/messages/blocks.js';
import type { CommandHelp } from '../src/core/messages/help-message.js';
import { usageMessage } from '../src/core/messages/usage-message.js';
import { NAME_LIMITS, nameTooLong } from '../src/core/naming.js';
import type { ApprovalStore, AuditLog, DeploymentStore, FreezeStore, LockStore, OnceStore, PassStore, QuarantineStore, ReleaseStore, RunQueue, RunStore, SlackDirectory, StatsCharts, TargetStatus, VersionStore } from '../src/core/ports.js';
import type { Lock } from '../src/core/approval-policy.js';

/** What a command may use. Commands start or read runs; they never reach Docker. */
export type CommandDeps = {
  services: readonly ServiceConfig[];
  runs: RunStore;
  /** Every registered command, for help. */
  commands: readonly CommandHelp[];
  queue: RunQueue;
  once: OnceStore;
  approvals: ApprovalStore;
  locks: LockStore;
  audit: AuditLog;
  deployments: DeploymentStore;
  releases: ReleaseStore;
  /** The versions made (`releases:` in slipway.yml). */
  versions: VersionStore;
  passes: PassStore;
  quarantines: QuarantineStore;
  freezes: FreezeStore;
  directory: SlackDirectory;
  /** `people:` of slipway.yml: git identities by Slack id. */
  people: People;
  /** Schedules a reminder to the lock's holder, if they still hold it then. */
  remindLockHolder(lock: Lock, at: Date): Promise<void>;
  /** The sha a branch points at, or undefined when there is no such branch. */
  branchHead(service: ServiceConfig, cloneUrl: string, branch: string): Promise<string | undefined>;
  newRunId(service: string): string;
  now(): Date;
  /** The environment's health right now, as one short phrase ("healthy", "answers 503", "unreachable: …"). */
  /** What the environment's target says runs there, and its health (see DeployTarget.status). */
  targetStatus(service: ServiceConfig, environment: string): Promise<TargetStatus>;
  /** Draws `/slipway stats`'s chart and uploads it to Slack; absent without Slack. */
  charts?: StatsCharts;
  /** The signed link to a service's page (its delivery charts); absent without SLIPWAY_PUBLIC_URL. */
  servicePageUrl?(service: string): string;
};

/** `channel` is where Slack says the command was typed; the console, which is local, has none. */
export type Invocation = { text: string; userId: string; userName: string; channel?: Channel; triggerId?: string };

export type Reply = Message & { visibility: 'ephemeral' | 'in_channel'; /** set on a usage message */ usage?: true };

/** A user's mistake in a command's text: shown to them with the usage, never logged as an error. */
export class CommandInputError extends Error {}

/** A command that may not be used here (the wrong channel): shown as it is, without the usage. */
export class CommandRefusal extends Error {}

export type SlashCommand<Args> = CommandHelp & {
  name: `/${string}`;
  /** Parses the text after the command; its error messages are shown to the user. */
  args: z.ZodType<Args, string>;
  run(args: Args, deps: CommandDeps, invocation: Invocation): Promise<Reply>;
};

/**
 * Splits command text into words; Slack sends the text exactly as typed. A word longer than the longest name
 * slipway takes (a branch's) is refused here, before any name lookup or branch pattern sees it.
 */
export const words = z
  .string()
  .transform((text) => text.trim().split(/\s+/).filter((w) => w !== ''))
  .superRefine((parts, ctx) => {
    const long = parts.find((w) => w.length > NAME_LIMITS.branch);
    if (long) {
      ctx.addIssue({
        code: 'custom',
        message: `A word of ${long.length} characters is longer than any name slipway takes (a branch has at most ${NAME_LIMITS.branch}, a service or an environment ${NAME_LIMITS.service}).`,
      });
    }
  });

/** `words` inside another schema's transform: its refusal becomes that schema's issue instead of a throw. */
export function wordsOf(text: string, ctx: z.RefinementCtx): string[] | undefined {
  const parsed = words.safeParse(text);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  return undefined;
}

/** Parses and runs one command; bad input becomes an ephemeral usage message, nothing else happens. */
export async function runCommand<Args>(
  command: SlashCommand<Args>,
  deps: CommandDeps,
  invocation: Invocation,
): Promise<Reply> {
  const parsed = command.args.safeParse(invocation.text);
  if (!parsed.success) {
    const problem = parsed.error.issues[0]?.message ?? 'could not read that';
    return { ...usageMessage(problem, command.usage, command.example), visibility: 'ephemeral', usage: true };
  }
  try {
    return await command.run(parsed.data, deps, invocation);
  } catch (error) {
    if (error instanceof CommandRefusal) return { text: error.message, visibility: 'ephemeral' };
    if (error instanceof CommandInputError) {
      return { ...usageMessage(error.message, command.usage, command.example), visibility: 'ephemeral', usage: true };
    }
    throw error;
  }
}

/**
 * The service a command is about: named, or the only one configured. Refused when the command comes from a
 * channel the service does not take commands in.
 */
export function pickService(services: readonly ServiceConfig[], name: string | undefined, channel?: Channel): ServiceConfig {
  const service = findService(services, name);
  if (channel && !channelAllows(service, channel)) throw new CommandRefusal(channelRefusal(service));
  return service;
}

function findService(services: readonly ServiceConfig[], name: string | undefined): ServiceConfig {
  if (name === undefined) {
    if (services.length === 1 && services[0]) return services[0];
    throw new CommandInputError(`Name a service: ${services.map((s) => s.name).join(', ') || 'none is configured'}.`);
  }
  const tooLong = nameTooLong('service', name);
  if (tooLong) throw new CommandInputError(tooLong);
  const service = services.find((s) => s.name === name);
  if (!service) {
    throw new CommandInputError(`Unknown service "${name}". Known: ${services.map((s) => s.name).join(', ') || 'none'}.`);
  }
  return service;
}

/**
 * `[service] [environment]` in either order of presence: a word naming a service is the service, the other
 * is the environment. With one service configured, the service may be left out.
 */
export function serviceAndEnvironment(
  services: readonly ServiceConfig[],
  parts: readonly string[],
  channel: Channel | undefined,
  defaultEnvironment?: (service: ServiceConfig) => string | undefined,
): { service: ServiceConfig; environment: string } {
  if (parts.length > 2) throw new CommandInputError('Too many words: give at most a service and an environment.');
  const named = parts.find((p) => services.some((s) => s.name === p));
  const service = pickService(services, named, channel);
  const rest = parts.filter((p) => p !== named);
  if (rest.length > 1) throw new CommandInputError(`Unknown service "${rest[0]}". Known: ${services.map((s) => s.name).join(', ')}.`);
  const environment = rest[0] ?? defaultEnvironment?.(service);
  if (!environment) throw new CommandInputError(`Name an environment of ${service.name}: ${service.environments.map((e) => e.name).join(', ')}.`);
  const tooLong = nameTooLong('environment', environment);
  if (tooLong) throw new CommandInputError(tooLong);
  if (!service.environments.some((e) => e.name === environment)) {
    throw new CommandInputError(`${service.name} has no environment "${environment}": ${service.environments.map((e) => e.name).join(', ')}.`);
  }
  return { service, environment };
}

/** Whether this person is one of the environment's approvers, by name or through a group. */
export async function isApproverOf(deps: Pick<CommandDeps, 'directory'>, service: ServiceConfig, environment: string, userId: string): Promise<boolean> {
  const env = service.environments.find((e) => e.name === environment);
  const approvers = env?.approvers ?? service.approvers;
  return approvers.users.includes(userId) || (await deps.directory.groupMembers(approvers.groups)).has(userId);
}

/** Production if there is one, else the last environment of the chain: where rollbacks usually go. */
export function lastEnvironment(service: ServiceConfig): string | undefined {
  return service.environments.find((e) => e.name === 'production')?.name ?? service.environments.at(-1)?.name;
}
