import { code, escapeKeepingMentions } from '../src/core/messages/blocks.js';
import { isApproverOf, lastEnvironment, serviceAndEnvironment, type SlashCommand, words } from './slash-command.js';

/** `/slipway unquarantine [service] [env] [tag]`: lets a rolled-back release be promoted again (approvers only). */
export const unquarantineCommand: SlashCommand<string[]> = {
  name: '/slipway unquarantine',
  usage: '/slipway unquarantine [service] [env] [tag]',
  example: '/slipway unquarantine production main-3f9c2e1',
  summary: 'lifts the quarantine of a rolled-back release (default: the latest) so it may be promoted again; approvers only',
  args: words,
  async run(parts, deps, invocation) {
    // The tag, if given, is the last word that names neither a service nor an environment.
    const named = (w: string) => deps.services.some((s) => s.name === w || s.environments.some((e) => e.name === w));
    const tag = parts.length > 0 && !named(parts.at(-1)!) ? parts.at(-1) : undefined;
    const { service, environment } = serviceAndEnvironment(deps.services, tag ? parts.slice(0, -1) : parts, invocation.channel, lastEnvironment);
    if (!(await isApproverOf(deps, service, environment, invocation.userId))) return { text: `Only an approver of ${environment} can lift a quarantine.`, visibility: 'ephemeral' };
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
