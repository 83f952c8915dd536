import { approversFor } from '../src/core/approval-policy.js';
import { code, escapeKeepingMentions } from '../src/core/messages/blocks.js';
import { lastEnvironment, serviceAndEnvironment, type SlashCommand, words } from './slash-command.js';

type Args = { parts: string[]; tag?: string };

/** `/unquarantine [service] [env] [tag]`: lets a rolled-back release be promoted again (approvers only). */
export const unquarantineCommand: SlashCommand<Args> = {
  name: '/unquarantine',
  usage: '/unquarantine [service] [env] [tag]',
  example: '/unquarantine production main-3f9c2e1',
  summary: 'lifts the quarantine of a rolled-back release (default: the latest) so it may be promoted again; approvers only',
  args: words.transform((parts) => {
    const tag = parts.at(-1)?.includes('-') && parts.length > 0 ? parts.at(-1) : undefined;
    return { parts: tag ? parts.slice(0, -1) : parts, tag };
  }),
  async run({ parts, tag }, deps, invocation) {
    const { service, environment } = serviceAndEnvironment(deps.services, parts, invocation.channel, lastEnvironment);
    const approvers = approversFor(service, service.environments.find((e) => e.name === environment)!);
    const isApprover = approvers.users.includes(invocation.userId) || (await deps.directory.groupMembers(approvers.groups)).has(invocation.userId);
    if (!isApprover) return { text: `Only an approver of ${environment} can lift a quarantine.`, visibility: 'ephemeral' };
    const quarantined = await deps.quarantines.list(service.name, environment);
    const lifted = tag ? quarantined.find((q) => q.tag === tag) : quarantined[0];
    if (!lifted) {
      const known = quarantined.map((q) => code(q.tag)).join(', ');
      return { text: `${tag ? `${code(tag)} is not` : 'Nothing is'} quarantined in ${service.name} ${environment}${known ? `; quarantined: ${known}` : ''}.`, visibility: 'ephemeral' };
    }
    await deps.quarantines.remove(service.name, environment, lifted.digest);
    await deps.audit.record({ at: deps.now().toISOString(), service: service.name, environment, action: 'unquarantine', by: invocation.userId, detail: lifted.tag });
    return {
      text: `:white_check_mark: <@${invocation.userId}> lifted the quarantine of ${code(lifted.tag)} in ${service.name} ${environment} (${escapeKeepingMentions(lifted.reason)}). It may be promoted again.`,
      visibility: 'in_channel',
    };
  },
};
