import type { Run } from '../run.js';
import { code, codeBlock, escapeMrkdwn, type Message, section } from './blocks.js';
import { runHeadline } from './run-message.js';

export const RETRY_ACTION = 'retry_run';

/**
 * The alert for a failed run: which stage, why, whose change (a mention when Slack knows their email), the last
 * lines of the log, and a Retry button.
 */
export function failureAlert(run: Run, { authorMention, logTail }: { authorMention: string; logTail: readonly string[] }): Message {
  const failure = run.failure ?? { stage: 'unknown', cause: 'unknown cause' };
  const head = `:rotating_light: *${escapeMrkdwn(run.service)}* ${code(run.branch)} @ ${code(run.sha.slice(0, 7))} failed at *${escapeMrkdwn(failure.stage)}*: ${escapeMrkdwn(failure.cause)}`;
  const blocks: Message['blocks'] = [section(`${head}\nChange by ${authorMention}`)];
  // A section holds 3,000 characters at most; the end of the log is the part that explains the failure.
  if (logTail.length > 0) blocks.push(section(codeBlock(logTail.join('\n').slice(-2_800))));
  blocks.push({
    type: 'actions',
    block_id: `failure:${run.id}`,
    elements: [{ type: 'button', action_id: RETRY_ACTION, text: { type: 'plain_text', text: 'Retry' }, value: run.id }],
  });
  return { text: `${runHeadline(run)} failed at ${failure.stage}: ${failure.cause}`, blocks };
}

/** `<@U123>` when the author's email maps to a Slack user, else their name as written in the commit. */
export function mention(slackUserId: string | undefined, name: string): string {
  return slackUserId ? `<@${slackUserId}>` : escapeMrkdwn(name);
}
