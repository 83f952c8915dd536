import { z } from 'zod';
import { type ActiveFreeze, freezeEnd } from '../src/core/freeze.js';
import { escapeMrkdwn } from '../src/core/messages/blocks.js';
import { CommandInputError, isApproverOf, serviceAndEnvironment, type SlashCommand, words, wordsOf } from './slash-command.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** An ad-hoc freeze is for an incident or a release, not a season: longer belongs in slipway.yml. */
const MAX_MS = 14 * UNIT_MS.d;

type FreezeArgs = { target: string[]; end: { forMs: number } | { until: string }; reason: string };

/** `[service] <env> for <2h|90m|3d> reason: …` or `[service] <env> until <ISO date-time> reason: …`. */
const freezeWords = z.string().transform((text, ctx): FreezeArgs => {
  const at = text.search(/\breason:/);
  const reason = at < 0 ? '' : text.slice(at + 'reason:'.length).trim();
  const parts = wordsOf(at < 0 ? text : text.slice(0, at), ctx);
  if (!parts) return z.NEVER;
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  const keyword = parts.findIndex((w) => w === 'for' || w === 'until');
  if (keyword < 1 || parts.length !== keyword + 2) return fail('Say the environment and how long: "production for 2h" or "production until 2026-12-01T08:00:00Z".');
  if (!reason) return fail('Say why after "reason:": it is shown to everyone who is refused.');
  const value = parts[keyword + 1]!;
  if (parts[keyword] === 'until') {
    if (!z.iso.datetime({ offset: true }).safeParse(value).success) return fail(`"${value}" is not a date-time with a zone, like 2026-12-01T08:00:00Z.`);
    return { target: parts.slice(0, keyword), end: { until: value }, reason };
  }
  const duration = /^(\d+)([mhd])$/.exec(value);
  if (!duration) return fail(`"${value}" is not a duration like 90m, 2h or 3d.`);
  return { target: parts.slice(0, keyword), end: { forMs: Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS] }, reason };
});

/** `/slipway freeze <env> for 2h reason: …`: deploys and promotions refused until then (approvers only). */
export const freezeCommand: SlashCommand<FreezeArgs> = {
  name: '/slipway freeze',
  usage: '/slipway freeze [service] <env> for <90m|2h|3d> reason: <why> | /slipway freeze [service] <env> until <date-time> reason: <why>',
  example: '/slipway freeze production for 3h reason: payment provider maintenance',
  summary: 'freezes an environment now, as a freeze window does: deploys and promotions are refused until it ends; approvers only',
  args: freezeWords,
  async run(args, deps, invocation) {
    const { service, environment } = serviceAndEnvironment(deps.services, args.target, invocation.channel);
    if (!(await isApproverOf(deps, service, environment, invocation.userId))) return { text: `Only an approver of ${environment} can freeze it.`, visibility: 'ephemeral' };
    const now = deps.now();
    const until = 'until' in args.end ? new Date(args.end.until) : new Date(now.getTime() + args.end.forMs);
    if (until <= now) throw new CommandInputError(`${until.toISOString()} has passed already.`);
    if (until.getTime() - now.getTime() > MAX_MS) throw new CommandInputError('A freeze from Slack lasts 14 days at most; put longer ones in slipway.yml (freezes).');
    await deps.freezes.set({ service: service.name, environment, from: now.toISOString(), until: until.toISOString(), reason: args.reason, by: invocation.userId });
    await deps.audit.record({ at: now.toISOString(), service: service.name, environment, action: 'freeze', by: invocation.userId, detail: `until ${until.toISOString()}: ${args.reason}` });
    const end: ActiveFreeze = { until, timeZone: 'UTC' };
    return {
      text: `:snowflake: <@${invocation.userId}> froze ${service.name} ${environment} until ${freezeEnd(end)}: ${escapeMrkdwn(args.reason)}. Deploys and promotions are refused until then; /slipway unfreeze ${environment} lifts it.`,
      visibility: 'in_channel',
    };
  },
};

/** `/slipway unfreeze <env>`: lifts the freeze set from Slack (the windows in slipway.yml stay). */
export const unfreezeCommand: SlashCommand<string[]> = {
  name: '/slipway unfreeze',
  usage: '/slipway unfreeze [service] <env>',
  example: '/slipway unfreeze production',
  summary: 'lifts a freeze set with /slipway freeze (not the windows in slipway.yml); approvers only',
  args: words.refine((parts) => parts.length > 0 && parts.length <= 2, 'Name the environment to unfreeze.'),
  async run(parts, deps, invocation) {
    const { service, environment } = serviceAndEnvironment(deps.services, parts, invocation.channel);
    if (!(await isApproverOf(deps, service, environment, invocation.userId))) return { text: `Only an approver of ${environment} can lift its freeze.`, visibility: 'ephemeral' };
    const lifted = await deps.freezes.remove(service.name, environment);
    if (!lifted) {
      const configured = service.environments.find((e) => e.name === environment)?.freezes.length ?? 0;
      return { text: `${service.name} ${environment} has no freeze set with /slipway freeze${configured > 0 ? '; its windows in slipway.yml stay as they are' : ''}.`, visibility: 'ephemeral' };
    }
    await deps.audit.record({ at: deps.now().toISOString(), service: service.name, environment, action: 'unfreeze', by: invocation.userId, detail: lifted.reason });
    return { text: `:sunny: <@${invocation.userId}> lifted the freeze of ${service.name} ${environment} (${escapeMrkdwn(lifted.reason)}).`, visibility: 'in_channel' };
  },
};
