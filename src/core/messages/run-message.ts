import type { Run, Stage } from '../run.js';
import { stageSeconds } from '../run.js';
import { cut, fitLines, LIMITS } from './limits.js';
import { code, context, escapeKeepingMentions, escapeMrkdwn, type Message, section } from './blocks.js';

const STAGE_ICON: Record<Stage['status'], string> = {
  pending: ':white_circle:',
  running: ':arrows_counterclockwise:',
  passed: ':white_check_mark:',
  failed: ':x:',
  skipped: ':fast_forward:',
};

const RUN_WORD: Record<Run['status'], string> = {
  queued: ':hourglass_flowing_sand: queued',
  running: ':arrows_counterclockwise: running',
  waiting: ':raised_hand: waiting for approval',
  passed: ':white_check_mark: passed',
  failed: ':x: failed',
  cancelled: ':no_entry_sign: cancelled',
  superseded: ':fast_forward: superseded',
};

export function runHeadline(run: Run): string {
  // A notification's text: Slack reads <!channel> and links in it too, so what a pusher chose is escaped.
  return escapeMrkdwn(`${run.service} ${run.branch} @ ${run.sha.slice(0, 7)}`);
}

/** The one message per run, updated in place as its stages move. */
export function runMessage(run: Run, { runUrl }: { runUrl?: string } = {}): Message {
  const title = commitTitle(run);
  const head = `*${escapeMrkdwn(run.service)}* ${code(run.branch)} @ ${code(run.sha.slice(0, 7))} by ${escapeMrkdwn(run.author.name)} — ${RUN_WORD[run.status]}`;
  const footer = [`run ${code(run.id)}`, run.trigger === 'push' ? undefined : run.trigger, pullRequestLine(run), runUrl ? `<${runUrl}|details>` : undefined]
    .filter(Boolean)
    .join(' · ');
  const current = run.stages.find((s) => s.status === 'running' || s.status === 'failed');
  return {
    text: cut(`${runHeadline(run)}: ${run.status}${current ? ` (${current.name})` : ''}`, LIMITS.notificationText),
    blocks: [
      section(title ? `${head}\n> ${escapeMrkdwn(title)}` : head),
      section(fitLines(run.stages.flatMap(stageLines), LIMITS.sectionText, { what: 'lines', runUrl }) || '_no stages yet_'),
      context(footer),
    ],
  };
}

/** "from PR #12 by ann (a fork)": a run started by a pull request comment says where it came from and who asked. */
export function pullRequestLine(run: Run): string | undefined {
  const pr = run.pullRequest;
  if (!pr) return undefined;
  const what = pr.url && /^https?:\/\/[^\s<>|]+$/.test(pr.url) ? `<${pr.url}|PR #${pr.number}>` : `PR #${pr.number}`;
  return `from ${what} by ${escapeMrkdwn(pr.by)}${pr.fork ? ' (a fork)' : ''}`;
}

export function stageLine(stage: Stage): string {
  const seconds = stageSeconds(stage);
  const duration = seconds === undefined ? '' : ` ${formatSeconds(seconds)}`;
  // A summary is slipway's sentence around people's words ("approved by <@U1>", "rejected by <@U1>: reason"):
  // the words are escaped, the mentions slipway put there stay mentions.
  const summary = stage.summary ? ` — ${escapeKeepingMentions(stage.summary)}` : '';
  return `${STAGE_ICON[stage.status]} ${stage.name}${duration}${summary}`;
}

/**
 * A stage's line, and under a passed one its details (check results with links, built by slipway): passed
 * stages live in the run message, so the thread keeps only what someone acts on.
 */
export function stageLines(stage: Stage): string[] {
  const details = stage.status === 'passed' ? (stage.details ?? []).map((d) => `      ${d}`) : [];
  return [stageLine(stage), ...details];
}

/** A thread reply with the detail of a finished stage. */
export function stageDetailMessage(stage: Stage): Message {
  const line = `*${escapeMrkdwn(stage.name)}* ${stage.status}${stage.summary ? `: ${escapeKeepingMentions(stage.summary)}` : ''}`;
  // Details are built by slipway (check results with links), so they are not escaped again; whole lines are cut.
  return { text: cut(escapeKeepingMentions(`${stage.name} ${stage.status}${stage.summary ? `: ${stage.summary}` : ''}`), LIMITS.notificationText), blocks: [section(fitLines([line, ...(stage.details ?? [])], LIMITS.sectionText))] };
}

function commitTitle(run: Run): string | undefined {
  const head = run.commits.find((c) => c.sha === run.sha) ?? run.commits.at(-1);
  return head?.message.split('\n')[0]?.slice(0, 150);
}

export function formatSeconds(seconds: number): string {
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
