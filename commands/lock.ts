import type { Channel } from '../src/core/channels.js';
import { lockedLine } from '../src/core/approval-policy.js';
import { escapeMrkdwn, who } from '../src/core/messages/blocks.js';
import type { CommandDeps } from './slash-command.js';
import { isApproverOf, serviceAndEnvironment, type SlashCommand, words } from './slash-command.js';

/** Splits `[service] <env> [reason…]`: the service only when the first word names one. */
function lockTarget(deps: CommandDeps, parts: readonly string[], channel: Channel | undefined) {
  const named = deps.services.some((s) => s.name === parts[0]) && parts.length > 1 ? 2 : 1;
  const { service, environment } = serviceAndEnvironment(deps.services, parts.slice(0, named), channel);
  const reason = parts.slice(named).join(' ').replace(/^reason:\s*/, '');
  return { service, environment, reason };
}

/** `/slipway lock <env> [reason]`: deploys and promotions to it are refused, except the holder's. Taken: you queue. */
export const lockCommand: SlashCommand<string[]> = {
  name: '/slipway lock',
  usage: '/slipway lock [service] <env> [reason: …]',
  example: '/slipway lock production reason: release freeze until the audit ends',
  summary: 'freezes an environment: deploys and promotions are refused except yours; if it is locked, you queue for it',
  args: words.refine((parts) => parts.length > 0, 'Name the environment to lock.'),
  async run(parts, deps, invocation) {
    const { service, environment, reason } = lockTarget(deps, parts, invocation.channel);
    const at = deps.now();
    const taken = await deps.locks.take({ service: service.name, environment, by: invocation.userId, reason, at: at.toISOString() });
    if (!taken.ok) {
      const place = await deps.locks.enqueue(service.name, environment, { by: invocation.userId, reason, at: at.toISOString() });
      return {
        text: `:hourglass_flowing_sand: ${lockedLine(taken.lock)}. You are #${place} in the queue for it; slipway will ping you when it passes to you.`,
        visibility: 'ephemeral',
      };
    }
    const edited = !!taken.edited;
    await deps.audit.record({ at: at.toISOString(), service: service.name, environment, action: 'lock', by: invocation.userId, detail: `${edited ? 'reason changed: ' : ''}${reason}` || undefined });
    if (edited) return { text: `:pencil2: <@${invocation.userId}> changed the reason of the ${service.name} ${environment} lock: ${escapeMrkdwn(reason || 'no reason given')}.`, visibility: 'in_channel' };
    await deps.remindLockHolder(taken.lock, new Date(at.getTime() + service.lockReminderHours * 3600_000));
    return { text: `:lock: <@${invocation.userId}> locked ${service.name} ${environment}${reason ? `: ${escapeMrkdwn(reason)}` : ''}.`, visibility: 'in_channel' };
  },
};

/** `/slipway unlock <env>`: by the holder, or by one of the environment's approvers; the next in the queue gets it. */
export const unlockCommand: SlashCommand<string[]> = {
  name: '/slipway unlock',
  usage: '/slipway unlock [service] <env>',
  example: '/slipway unlock production',
  summary: 'lifts a lock (its holder or an approver); the first in its queue gets it',
  args: words.refine((parts) => parts.length > 0 && parts.length <= 2, 'Name the environment to unlock.'),
  async run(parts, deps, invocation) {
    const { service, environment } = serviceAndEnvironment(deps.services, parts, invocation.channel);
    const lock = await deps.locks.get(service.name, environment);
    if (!lock) return { text: `${service.name} ${environment} is not locked.`, visibility: 'ephemeral' };
    if (lock.by !== invocation.userId && !(await isApproverOf(deps, service, environment, invocation.userId))) {
      return { text: `Only ${who(lock.by)}, who holds the lock, or an approver of ${environment} can unlock it.`, visibility: 'ephemeral' };
    }
    const at = deps.now();
    const next = await deps.locks.release(service.name, environment, at);
    await deps.audit.record({ at: at.toISOString(), service: service.name, environment, action: 'unlock', by: invocation.userId });
    const unlocked = `:unlock: <@${invocation.userId}> unlocked ${service.name} ${environment}`;
    if (!next) return { text: `${unlocked}.`, visibility: 'in_channel' };
    await deps.audit.record({ at: at.toISOString(), service: service.name, environment, action: 'lock', by: next.by, detail: `from the queue${next.reason ? `: ${next.reason}` : ''}` });
    await deps.remindLockHolder(next, new Date(at.getTime() + service.lockReminderHours * 3600_000));
    const left = (await deps.locks.queue(service.name, environment)).length;
    return {
      text: `${unlocked}. :lock: It passes to <@${next.by}>, next in the queue${next.reason ? `: ${escapeMrkdwn(next.reason)}` : ''}.${left > 0 ? ` ${left} still waiting.` : ''}`,
      visibility: 'in_channel',
    };
  },
};
