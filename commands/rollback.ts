import { z } from 'zod';
import { code, escapeMrkdwn, section, who } from '../src/core/messages/blocks.js';
import { rollbackTarget } from '../src/core/release-history.js';
import { releaseEnvironment } from '../src/core/releases/versioning.js';
import { CONFIRM_ROLLBACK_ACTION, mayRollBack } from './rollback-confirm.js';
import { lastEnvironment, serviceAndEnvironment, type SlashCommand, words } from './slash-command.js';

type RollbackArgs = { parts: string[]; to?: string };

/** `/rollback [service] [env] [to <tag|sha|run|version>]`: asks to confirm with a button; the click deploys the recorded digest. */
export const rollbackCommand: SlashCommand<RollbackArgs> = {
  name: '/rollback',
  usage: '/rollback [service] [env] [to <tag|sha|run>]',
  example: '/rollback discounts production to main-3f9c2e1',
  summary: 'puts an environment back on an earlier release (default: production, the previous one); approvers only',
  args: words.transform((parts, ctx) => {
    const at = parts.indexOf('to');
    if (at < 0) return { parts };
    const to = parts.slice(at + 1).join(' ');
    if (!to) {
      ctx.addIssue({ code: 'custom', message: 'Say what to roll back to after "to".' });
      return z.NEVER;
    }
    return { parts: parts.slice(0, at), to };
  }),
  async run(args, deps, invocation) {
    const { service, environment } = serviceAndEnvironment(deps.services, args.parts, invocation.channel, lastEnvironment);
    const allowed = await mayRollBack(deps, service, environment, invocation.userId);
    if (!allowed.ok) return { text: allowed.reason, visibility: 'ephemeral' };

    const history = await deps.deployments.history(service.name, environment, 200);
    // With releases: the versions of the environment's deployments; `to v1.2.0` names one by its version.
    const versions = releaseEnvironment(service) === environment ? await deps.versions.list(service.name, 200) : [];
    const versionOf = (sha: string | undefined) => versions.find((v) => v.sha === sha)?.tag;
    const asked = versions.find((v) => v.tag === args.to)?.sha ?? args.to;
    const choice = rollbackTarget(history, asked);
    if (!choice.ok) return { text: `Cannot roll back ${service.name} ${environment}: ${choice.reason}.`, visibility: 'ephemeral' };
    const current = history.find((d) => d.outcome === 'succeeded');
    const { to } = choice;
    const named = (tag: string | undefined, sha: string | undefined) => `${code(tag ?? '?')}${versionOf(sha) ? ` (${code(versionOf(sha) ?? '')})` : ''}`;
    const question = `Roll *${escapeMrkdwn(service.name)}* ${escapeMrkdwn(environment)} back from ${named(current?.release.tag, current?.release.sha)} to ${named(to.release.tag, to.release.sha)} (${code(to.release.sha.slice(0, 7))}, deployed by ${who(to.by)} at ${to.at})?`;
    return {
      text: question,
      visibility: 'ephemeral',
      blocks: [
        section(question),
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: CONFIRM_ROLLBACK_ACTION,
              style: 'danger',
              text: { type: 'plain_text', text: `Roll back to ${to.release.tag}`.slice(0, 75) },
              value: JSON.stringify({ service: service.name, environment, runId: to.runId }),
            },
          ],
        },
      ],
    };
  },
};
