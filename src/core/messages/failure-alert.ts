import type { Run } from '../run.js';
import { code, codeBlock, escapeMrkdwn, type Message, section } from './blocks.js';
import { runHeadline } from './run-message.js';

export const RETRY_ACTION = 'retry_run';
export const RERUN_CHECKS_ACTION = 'rerun_checks';

/**
 * The alert for a failed run: which stage, why, whose change (a mention when Slack knows their email), the last
 * lines of the log, and a Retry button.
 */
export function failureAlert(run: Run, { authorMention, logTail }: { authorMention: string; logTail: readonly string[] }): Message {
  const failedChecks = run.stages.find((s) => s.name === run.failure?.stage)?.details?.filter((d) => d.startsWith(':x:')) ?? [];
  const failure = run.failure ?? { stage: 'unknown', cause: 'unknown cause' };
  const head = `:rotating_light: *${escapeMrkdwn(run.service)}* ${code(run.branch)} @ ${code(run.sha.slice(0, 7))} failed at *${escapeMrkdwn(failure.stage)}*: ${escapeMrkdwn(failure.cause)}`;
  const blocks: Message['blocks'] = [section(`${head}\nChange by ${authorMention}`)];
  // A section holds 3,000 characters at most; the end of the log is the part that explains the failure.
  if (failedChecks.length > 0) blocks.push(section(failedChecks.join('\n').slice(0, 2_900)));
  else if (logTail.length > 0) blocks.push(section(codeBlock(logTail.join('\n').slice(-2_800))));
  const retry = { type: 'button' as const, action_id: RETRY_ACTION, text: { type: 'plain_text' as const, text: 'Retry' }, value: run.id };
  // Failed checks can be run again against the same release, without rebuilding or redeploying.
  const rerun = { type: 'button' as const, action_id: RERUN_CHECKS_ACTION, text: { type: 'plain_text' as const, text: 'Re-run checks' }, value: run.id };
  const checksFailed = run.failure?.stage.startsWith('synthetics:') ?? false;
  blocks.push({ type: 'actions', block_id: `failure:${run.id}`, elements: checksFailed ? [rerun, retry] : [retry] });
  return { text: `${runHeadline(run)} failed at ${escapeMrkdwn(`${failure.stage}: ${failure.cause}`)}`, blocks };
}

/** `<@U123>` when the author's email maps to a Slack user, else their name as written in the commit. */
export function mention(slackUserId: string | undefined, name: string): string {
  return slackUserId ? `<@${slackUserId}>` : escapeMrkdwn(name);
}
