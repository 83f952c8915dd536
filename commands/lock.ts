import { escapeMrkdwn } from '../src/core/messages/blocks.js';
import type { CommandDeps } from './slash-command.js';
import { serviceAndEnvironment, type SlashCommand, words } from './slash-command.js';

/** Splits `[service] <env> [reason…]`: the service only when the first word names one. */
function lockTarget(deps: CommandDeps, parts: readonly string[]) {
  const named = deps.services.some((s) => s.name === parts[0]) && parts.length > 1 ? 2 : 1;
  const { service, environment } = serviceAndEnvironment(deps.services, parts.slice(0, named));
  const reason = parts.slice(named).join(' ').replace(/^reason:\s*/, '');
  return { service, environment, reason };
}

/** After a lock changes, the cards of promotions waiting at that gate show it. */
async function refreshCards(deps: CommandDeps, service: string, environment: string) {
  for (const approval of await deps.approvals.pending(service)) {
    if (approval.environment === environment) await deps.events.changed(approval.runId);
  }
}

/** `/lock <env> [reason]`: deploys and promotions to it are refused, except the holder's. */
export const lockCommand: SlashCommand<string[]> = {
  name: '/lock',
  usage: '/lock [service] <env> [reason]',
  example: '/lock production release freeze until the audit ends',
  summary: 'freezes an environment: deploys and promotions are refused except yours',
  args: words.refine((parts) => parts.length > 0, 'Name the environment to lock.'),
  async run(parts, deps, invocation) {
    const { service, environment, reason } = lockTarget(deps, parts);
    const taken = await deps.locks.take({ service: service.name, environment, by: invocation.userId, reason, at: deps.now().toISOString() });
    if (!taken.ok) {
      return { text: `${environment} is already locked by <@${taken.lock.by}>: ${escapeMrkdwn(taken.lock.reason || 'no reason given')}.`, visibility: 'ephemeral' };
    }
    await deps.audit.record({ at: deps.now().toISOString(), service: service.name, environment, action: 'lock', by: invocation.userId, detail: reason || undefined });
    await refreshCards(deps, service.name, environment);
    return { text: `:lock: <@${invocation.userId}> locked ${service.name} ${environment}${reason ? `: ${escapeMrkdwn(reason)}` : ''}.`, visibility: 'in_channel' };
  },
};

/** `/unlock <env>`: by the holder, or by one of the environment's approvers. */
export const unlockCommand: SlashCommand<string[]> = {
  name: '/unlock',
  usage: '/unlock [service] <env>',
  example: '/unlock production',
  summary: 'lifts a lock (its holder or an approver)',
  args: words.refine((parts) => parts.length > 0 && parts.length <= 2, 'Name the environment to unlock.'),
  async run(parts, deps, invocation) {
    const { service, environment } = serviceAndEnvironment(deps.services, parts);
    const lock = await deps.locks.get(service.name, environment);
    if (!lock) return { text: `${service.name} ${environment} is not locked.`, visibility: 'ephemeral' };
    const env = service.environments.find((e) => e.name === environment);
    const approvers = env?.approvers ?? service.approvers;
    const isApprover = approvers.users.includes(invocation.userId) || (await deps.directory.groupMembers(approvers.groups)).has(invocation.userId);
    if (lock.by !== invocation.userId && !isApprover) {
      return { text: `Only <@${lock.by}>, who holds the lock, or an approver of ${environment} can unlock it.`, visibility: 'ephemeral' };
    }
    await deps.locks.release(service.name, environment);
    await deps.audit.record({ at: deps.now().toISOString(), service: service.name, environment, action: 'unlock', by: invocation.userId });
    await refreshCards(deps, service.name, environment);
    return { text: `:unlock: <@${invocation.userId}> unlocked ${service.name} ${environment}.`, visibility: 'in_channel' };
  },
};
