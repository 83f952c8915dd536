import type { Run } from '../run.js';
import { type Block, type Button, code, escapeKeepingMentions, escapeMrkdwn, type Message, section } from './blocks.js';
import { cut, fitLines, LIMITS } from './limits.js';
import { runHeadline } from './run-message.js';

export const RETRY_ACTION = 'retry_run';
export const RERUN_CHECKS_ACTION = 'rerun_checks';

/** How many of the log's last lines the alert shows; the rest are on the run page. */
export const ALERT_LOG_LINES = 30;
const CAUSE_MAX = 1_500;

/**
 * The alert for a failed run: which stage, why, whose change (a mention when Slack knows their email), the last
 * lines of the log, and a Retry button. Long causes and logs are cut to Slack's limits, saying what is left out.
 */
export function failureAlert(
  run: Run,
  { authorMention, log, runUrl }: { authorMention: string; log: readonly string[]; runUrl?: string },
): Message {
  const failedChecks = run.stages.find((s) => s.name === run.failure?.stage)?.details?.filter((d) => d.startsWith(':x:')) ?? [];
  const failure = run.failure ?? { stage: 'unknown', cause: 'unknown cause' };
  // A cause may name people slipway mentioned ("locked by <@U1>"): they stay mentions, the rest is escaped.
  const cause = cut(escapeKeepingMentions(failure.cause), CAUSE_MAX);
  const head = `:rotating_light: *${escapeMrkdwn(run.service)}* ${code(run.branch)} @ ${code(run.sha.slice(0, 7))} failed at *${escapeMrkdwn(failure.stage)}*: ${cause}`;
  const blocks: Block[] = [section(`${head}\nChange by ${authorMention}`)];
  // The end of the log explains the failure: cut after escaping (escaping lengthens it), whole lines first.
  if (failedChecks.length > 0) blocks.push(section(fitLines(failedChecks, LIMITS.sectionText, { what: 'failed checks', runUrl })));
  else if (log.length > 0) {
    const tail = log.slice(-ALERT_LOG_LINES).map((line) => escapeMrkdwn(line).replace(/```/g, 'ˋˋˋ'));
    const fenced = (kept: string) => `\`\`\`${kept}\`\`\``;
    blocks.push(section(fitLines(tail, LIMITS.sectionText, { fromEnd: true, alreadyLeftOut: log.length - tail.length, runUrl, wrap: fenced })));
  }
  const retry: Button = { type: 'button', action_id: RETRY_ACTION, text: { type: 'plain_text', text: 'Retry' }, value: run.id };
  // Failed checks can be run again against the same release, without rebuilding or redeploying.
  const rerun: Button = { type: 'button', action_id: RERUN_CHECKS_ACTION, text: { type: 'plain_text', text: 'Re-run checks' }, value: run.id };
  const checksFailed = run.failure?.stage.startsWith('synthetics:') ?? false;
  blocks.push({ type: 'actions', block_id: `failure:${run.id}`, elements: checksFailed ? [rerun, retry] : [retry] });
  return { text: cut(`${runHeadline(run)} failed at ${escapeMrkdwn(failure.stage)}: ${cause}`, LIMITS.notificationText), blocks };
}

/** `<@U123>` when the author's email maps to a Slack user, else their name as written in the commit. */
export function mention(slackUserId: string | undefined, name: string): string {
  return slackUserId ? `<@${slackUserId}>` : escapeMrkdwn(name);
}
