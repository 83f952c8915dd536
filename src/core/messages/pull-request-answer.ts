import type { People } from '../config-schema.js';
import type { Run } from '../run.js';
import { stageEnvironment, stageKind } from '../run.js';

/**
 * slipway's answers in a pull request (GitHub and Gitea markdown): one comment per `/deploy`, saying what was
 * started with the run's link, then edited in place with the outcome; or why nothing was started.
 */

/** Slack's markup as markdown: a mention becomes the person's git username where people: names one. */
export function markdownOf(slackText: string, people: People): string {
  return slackText
    .replace(/<@([UW][A-Z0-9]+)>/g, (_, id: string) => {
      const username = people[id]?.usernames[0];
      return username ? `@${username}` : 'someone in Slack';
    })
    .replace(/<!subteam\^[A-Z0-9]+>/g, 'a Slack group')
    .replace(/<(https?:\/\/[^|>\s]+)\|([^>]+)>/g, '[$2]($1)')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Inline code that a backtick in the text cannot end. */
const code = (text: string) => `\`${text.replace(/`/g, 'ˋ')}\``;

const runLink = (run: Run, runUrl: string | undefined) => (runUrl ? `[${code(run.id)}](${runUrl})` : code(run.id));

/** Where the run deploys: its environments in order ("staging", "dev-1a2b3c4d"). */
function destinations(run: Run): string {
  const envs = run.stages.filter((s) => stageKind(s.name) === 'deploy').map((s) => stageEnvironment(s.name) ?? '');
  return envs.map((e) => `**${e}**`).join(' → ') || `**${run.target.environment}**`;
}

export function refusedAnswer(reason: string, people: People): string {
  const text = markdownOf(reason, people).trim().replace(/\.$/, '');
  return `:no_entry: **slipway did not deploy this.** ${text}.`;
}

export function startedAnswer(run: Run, runUrl: string | undefined, lockTaken?: string): string {
  const by = run.pullRequest?.by ? ` for @${run.pullRequest.by}` : '';
  const lock = lockTaken ? `\n\n:lock: ${lockTaken}` : '';
  return `:rocket: Deploying ${code(run.sha.slice(0, 7))} to ${destinations(run)}${by}: run ${runLink(run, runUrl)}. This comment will show the outcome.${lock}`;
}

const OUTCOME: Record<Run['status'], string> = {
  queued: ':hourglass_flowing_sand: queued',
  running: ':arrows_counterclockwise: running',
  waiting: ':raised_hand: waiting for approval in Slack',
  passed: ':white_check_mark: deployed',
  failed: ':x: failed',
  cancelled: ':no_entry_sign: cancelled',
  superseded: ':fast_forward: superseded by a newer run',
};

/** The answer comment once the run waits at a gate or has ended. */
export function outcomeAnswer(run: Run, runUrl: string | undefined): string {
  const cause = run.status === 'failed' && run.failure ? `: ${run.failure.stage} — ${run.failure.cause.split('\n')[0]?.slice(0, 300)}` : '';
  return `${OUTCOME[run.status]}${cause}. ${code(run.sha.slice(0, 7))} to ${destinations(run)}, run ${runLink(run, runUrl)}.`;
}
