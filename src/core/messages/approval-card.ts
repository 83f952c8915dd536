import { type Lock, lockedLine } from '../approval-policy.js';
import type { Approval } from '../ports.js';
import type { Run } from '../run.js';
import { cut, fitLines, LIMITS } from './limits.js';
import { type Block, code, context, escapeMrkdwn, type Message, section, who } from './blocks.js';

export const APPROVE_ACTION = 'approve_promotion';
export const REJECT_ACTION = 'reject_promotion';
export const REJECT_VIEW = 'reject_promotion_reason';
/** A reject reason or an override's reason is a person's sentence: the rest of a longer one is on the run page. */
const REASON_MAX = 1_000;

export type ApprovalCardInput = {
  run: Run;
  approval: Approval;
  /** The release the promotion replaces: what the environment runs while the request is open. */
  current?: { tag: string; sha: string };
  commits: Run['commits'];
  lock?: Lock;
  coverageChange?: number;
  /** Who has approved so far and what is still needed, when more than one approval is. */
  votes?: { counted: readonly string[]; missing: string; needed: number };
};

/** `runId|environment`: which gate a card is about (its block id). */
export const approvalKey = (runId: string, environment: string) => `${runId}|${environment}`;

/**
 * `runId|environment|digest|signature`: what the buttons carry back — the release the approver sees on the
 * card, signed by slipway when the request was opened. Approve is honoured only when it verifies.
 */
export const signedApprovalKey = (approval: Pick<Approval, 'runId' | 'environment' | 'digest' | 'signature'>) =>
  approval.signature ? `${approvalKey(approval.runId, approval.environment)}|${approval.digest}|${approval.signature}` : approvalKey(approval.runId, approval.environment);

export type ApprovalKey = { runId: string; environment: string; digest?: string; signature?: string };

export function parseApprovalKey(value: string): ApprovalKey | undefined {
  const [runId, environment, digest, signature, ...rest] = value.split('|');
  if (!runId || !environment || rest.length > 0) return undefined;
  if (digest === undefined) return { runId, environment };
  return digest && signature ? { runId, environment, digest, signature } : undefined;
}

const slackTime = (iso: string) => `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} at {time}|${iso}>`;

/** The approval request: what goes where, what changes, how it tested, and the buttons while it can be decided. */
export function approvalCard({ run, approval, current, commits, lock, coverageChange, votes }: ApprovalCardInput): Message {
  const env = escapeMrkdwn(approval.environment);
  const from = current ? `${code(current.tag)} (${code(current.sha.slice(0, 7))})` : '_nothing yet_';
  const to = `${code(approval.tag)} (${code(approval.sha.slice(0, 7))})`;
  const tests = run.quality?.tests;
  const quality = [
    tests ? `tests ${tests.passed} passed${tests.failed ? `, ${tests.failed} failed` : ''}${tests.skipped ? `, ${tests.skipped} skipped` : ''}` : undefined,
    run.quality?.coverage !== undefined
      ? `coverage ${run.quality.coverage} %${coverageChange === undefined ? '' : ` (${coverageChange >= 0 ? '+' : ''}${Math.round(coverageChange * 100) / 100})`}`
      : undefined,
  ].filter(Boolean);
  const commitLines = commits.map((c) => `• ${code(c.sha.slice(0, 7))} ${escapeMrkdwn(c.message.split('\n')[0] ?? '')} — ${escapeMrkdwn(c.author.name)}`);

  const blocks: Block[] = [
    section(`:rocket: Promote *${escapeMrkdwn(run.service)}* to *${env}*?\n${from} → ${to}`),
    context(`This approval is for this release only: ${code(approval.digest)}`),
  ];
  if (approval.breakGlass && run.override) {
    blocks.push(section(`:rotating_light: *Breaking a freeze*, asked by <@${run.override.by}>: ${cut(escapeMrkdwn(run.override.reason), REASON_MAX)}. It needs one approver more than usual.`));
  }
  if (votes && (votes.needed > 1 || votes.counted.length > 0)) {
    const so = votes.counted.length > 0 ? votes.counted.map((u) => `<@${u}> :white_check_mark:`).join(' ') : '_none yet_';
    blocks.push(section(`*Approvals* (${votes.counted.length} of ${votes.needed}): ${so}${votes.missing && approval.state === 'pending' ? `\nStill needed: ${votes.missing}` : ''}`));
  }
  if (commitLines.length > 0) blocks.push(section(fitLines(['*Changes*', ...commitLines], LIMITS.sectionText, { what: 'commits' })));
  if (quality.length > 0) blocks.push(context(quality.join(' · ')));
  if (lock && approval.state === 'pending') {
    // A lock holds the promotion here rather than failing it: the holder may still approve, others wait.
    blocks.push(section(`:lock: ${lockedLine(lock)}. Until it is unlocked only ${who(lock.by)} can approve this.`));
  }
  blocks.push(approval.state === 'pending' ? buttons(run, approval) : context(outcome(approval)));
  return { text: cut(escapeMrkdwn(`Promote ${run.service} ${approval.tag} to ${approval.environment}? ${approval.state}`), LIMITS.notificationText), blocks };
}

function outcome(approval: Approval): string {
  const when = approval.decidedAt ? slackTime(approval.decidedAt) : '';
  switch (approval.state) {
    case 'approved':
      return `:white_check_mark: Approved by <@${approval.decidedBy}> at ${when}`;
    case 'rejected':
      return `:no_entry: Rejected by <@${approval.decidedBy}>${approval.reason ? `: ${cut(escapeMrkdwn(approval.reason), REASON_MAX)}` : ''}`;
    case 'expired':
      return `:hourglass: Expired at ${when}: nobody decided in time. Push again or use /deploy to ask anew.`;
    case 'superseded':
      return `:fast_forward: Superseded: ${cut(escapeMrkdwn(approval.reason ?? 'a newer release reached this gate'), REASON_MAX)}. These buttons no longer work.`;
    case 'cancelled':
      return `:no_entry_sign: Cancelled by <@${approval.decidedBy}>.`;
    default:
      return '';
  }
}

function buttons(run: Run, approval: Approval): Block {
  const block = approvalKey(run.id, approval.environment);
  const value = signedApprovalKey(approval);
  const confirm = (title: string, text: string, yes: string) => ({
    title: { type: 'plain_text' as const, text: title },
    text: { type: 'mrkdwn' as const, text: cut(escapeMrkdwn(text), LIMITS.confirmText) },
    confirm: { type: 'plain_text' as const, text: yes },
    deny: { type: 'plain_text' as const, text: 'Cancel' },
  });
  return {
    type: 'actions',
    block_id: `approval:${block}`,
    elements: [
      {
        type: 'button',
        action_id: APPROVE_ACTION,
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        value,
        confirm: confirm('Approve?', `Deploy ${approval.tag} to ${approval.environment}.`, 'Approve'),
      },
      {
        type: 'button',
        action_id: REJECT_ACTION,
        style: 'danger',
        text: { type: 'plain_text', text: 'Reject' },
        value,
        confirm: confirm('Reject?', `${approval.tag} will not go to ${approval.environment}.`, 'Reject'),
      },
    ],
  };
}
