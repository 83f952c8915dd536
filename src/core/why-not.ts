import { type Lock, lockedLine } from './approval-policy.js';
import { type ApprovalProgress, describeMissing } from './approval-rules.js';
import type { ServiceConfig } from './config-schema.js';
import { promotionGaps } from './deploy-conditions.js';
import { type ActiveFreeze, freezeLine } from './freeze.js';
import { code, escapeMrkdwn, escapeKeepingMentions } from './messages/blocks.js';
import type { Approval, Quarantine } from './ports.js';
import type { Run } from './run.js';

export type WhyFacts = {
  service: ServiceConfig;
  environment: string;
  /** The newest release and the run that built it (or last carried it). */
  newest?: { run: Run; tag: string; digest: string };
  /** The digest running in the environment now. */
  currentDigest?: string;
  lock?: Lock;
  freeze?: ActiveFreeze;
  passed: ReadonlySet<string>;
  approval?: Approval;
  progress?: ApprovalProgress;
  quarantine?: Quarantine;
};

/** One unmet condition and the command (or click) that would clear it. */
export type Unmet = { what: string; fix: string };

/**
 * `/deploy why`: every condition that keeps the newest release out of the environment, in the order people
 * would clear them. Empty when nothing does.
 */
export function whyNot(f: WhyFacts): Unmet[] {
  const env = f.environment;
  if (!f.newest) return [{ what: `${f.service.name} has no release yet`, fix: `push to ${f.service.defaultBranch}, or /deploy ${f.service.defaultBranch}` }];
  const { run, tag } = f.newest;
  const branch = run.branch;
  const unmet: Unmet[] = [];
  if (f.lock) unmet.push({ what: lockedLine(f.lock), fix: `/slipway unlock ${env} (its holder or an approver), or /slipway lock ${env} to queue for it` });
  if (f.freeze) unmet.push({ what: escapeMrkdwn(freezeLine(env, f.freeze)), fix: `wait, or an approver breaks glass: /deploy force ${branch} to ${env} reason: …` });
  const gaps = promotionGaps(f.service, env, f.passed);
  for (const gap of gaps) unmet.push({ what: `${code(tag)} has not got through ${gap}`, fix: `/deploy ${branch} to ${gap}` });
  if (run.status === 'failed' && run.failure) {
    unmet.push({ what: `run ${code(run.id)} failed at ${run.failure.stage}: ${escapeMrkdwn(run.failure.cause)}`, fix: `push a fix, or press Retry on its alert` });
  }
  const settings = f.service.environments.find((e) => e.name === env);
  // A quarantined release is never put to approvers, so asking for approvals would be the wrong fix.
  if (settings?.requireApproval && !f.quarantine) unmet.push(...approvalLine(f, branch));
  if (f.quarantine) {
    unmet.push({ what: `${code(f.quarantine.tag)} is quarantined in ${env}: ${escapeKeepingMentions(f.quarantine.reason)}`, fix: `/slipway unquarantine ${env}` });
  }
  return unmet;
}

function approvalLine(f: WhyFacts, branch: string): Unmet[] {
  const deploy = `/deploy ${branch} to ${f.environment}`;
  if (!f.approval) return f.newest?.run.status === 'failed' ? [] : [{ what: `no approval has been asked for ${f.environment} yet`, fix: deploy }];
  switch (f.approval.state) {
    case 'pending':
      return [{ what: `approval still needed: ${describeMissing(f.progress?.missing ?? [])}`, fix: `press Approve on the card of run ${code(f.approval.runId)}` }];
    case 'approved':
      return [];
    default:
      return [{ what: `the approval request was ${f.approval.state}`, fix: `${deploy} to ask again` }];
  }
}
