import { type Lock, lockedLine } from '../approval-policy.js';
import type { ServiceConfig } from '../config-schema.js';
import type { Approval, AuditEntry, Deployment } from '../ports.js';
import type { Run } from '../run.js';
import { type Block, code, context, escapeMrkdwn, type Message, section, who } from './blocks.js';
import { cut, fitLines, LIMITS } from './limits.js';

export type EnvironmentStatus = {
  name: string;
  current?: Deployment;
  /** The version of the release that runs there, when it was made one (`releases:`). */
  version?: string;
  lock?: Lock;
  health?: string;
  /** The image the target says runs there now, when it could tell: compared with what slipway recorded. */
  running?: string;
  /** An orchestrator's replicas (swarm tasks, pods): how many are ready of how many it should run. */
  replicas?: { ready: number; desired: number };
};
export type ServiceStatus = {
  service: ServiceConfig;
  environments: readonly EnvironmentStatus[];
  pending: readonly Approval[];
  activeRuns: readonly Run[];
};

const RUN_ICON: Record<string, string> = { queued: ':hourglass_flowing_sand:', running: ':arrows_counterclockwise:', waiting: ':raised_hand:' };

export function statusMessage(statuses: readonly ServiceStatus[]): Message {
  if (statuses.length === 0) {
    return {
      text: 'No services are configured.',
      blocks: [section('No services are configured yet: add one to `slipway.yml` (the README has an example).')],
    };
  }
  // A message holds 50 blocks: whole services while they fit, then how to see the others. Services past the
  // limit are counted, not written out: a workspace with hundreds of them must not cost seconds of formatting.
  const blocks: Block[] = [];
  let shown = 0;
  for (const status of statuses) {
    const group = serviceBlocks(status);
    if (blocks.length + group.length > LIMITS.blocksPerMessage - 1) break;
    blocks.push(...group);
    shown++;
  }
  if (shown < statuses.length) {
    blocks.push(context(`… ${(statuses.length - shown).toLocaleString('en-US')} more services: \`/slipway status <service>\` shows one.`));
  }
  const lines: string[] = [];
  for (let length = 0; lines.length < statuses.length && length <= LIMITS.notificationText; ) {
    const line = summaryLine(statuses[lines.length]!);
    lines.push(line);
    length += line.length + 1;
  }
  const text = fitLines(lines, LIMITS.notificationText, { what: 'services', elsewhere: 'not shown', alreadyLeftOut: statuses.length - lines.length });
  return { text, blocks };
}

function serviceBlocks({ service, environments, pending, activeRuns }: ServiceStatus): Block[] {
  return [
    section(fitLines([`*${escapeMrkdwn(service.name)}* · ${escapeMrkdwn(service.channel)}`, ...environments.map(environmentLine)], LIMITS.sectionText, { what: 'environments', elsewhere: 'not shown' })),
    ...(pending.length > 0 ? [section(fitLines(['*Waiting for approval*', ...pending.map(approvalLine)], LIMITS.sectionText, { what: 'approvals', elsewhere: 'not shown' }))] : []),
    activeRuns.length === 0 ? context('No runs queued or running.') : section(fitLines(activeRuns.map(runLine), LIMITS.sectionText, { what: 'runs', elsewhere: 'not shown' })),
  ];
}

/** One service in the notification text, cut to what the text can hold at most. */
function summaryLine({ service, environments, activeRuns }: ServiceStatus): string {
  const envs = environments.map((e) => `${e.name} ${e.current?.release.tag ?? '-'}${e.lock ? ' (locked)' : ''}`).join(', ');
  return escapeMrkdwn(cut(`${service.name}: ${envs}; ${activeRuns.length} active run(s)`, LIMITS.notificationText));
}

function environmentLine({ name, current, version, lock, health, running, replicas }: EnvironmentStatus): string {
  const ready = replicas ? ` · ${replicas.ready}/${replicas.desired} replicas ready` : '';
  const release = current
    ? `${code(current.release.tag)}${version ? ` :label: ${code(version)}` : ''} ${code(current.release.sha.slice(0, 7))} ${code(current.release.digest.slice(7, 19))} by ${who(current.by)} at ${current.at} — ${escapeMrkdwn(health ?? 'health unknown')}${ready}`
    : `_nothing deployed_${ready}`;
  // Someone changed the host behind slipway's back (or a deploy was cut short): say what really runs.
  const drift = running && !(current && running.endsWith(`@${current.release.digest}`)) ? `\n   :warning: the host runs ${code(cut(running, 120))}, not what slipway deployed` : '';
  const locked = lock ? `\n   :lock: ${lockedLine(lock)}` : '';
  return `• *${escapeMrkdwn(name)}*: ${release}${drift}${locked}`;
}

function approvalLine(a: Approval): string {
  return `• ${code(a.tag)} → ${escapeMrkdwn(a.environment)} (run ${code(a.runId)}, expires ${a.expiresAt})`;
}

function runLine(run: Run): string {
  const current = run.stages.find((s) => s.status === 'running')?.name;
  const where = current ? ` (${current})` : '';
  return `${RUN_ICON[run.status] ?? ''} ${code(run.id)} ${code(run.branch)} @ ${code(run.sha.slice(0, 7))} by ${escapeMrkdwn(run.author.name)} — ${run.status}${where}`;
}

const ACTION_ICON: Record<AuditEntry['action'], string> = {
  deploy: ':rocket:', approve: ':white_check_mark:', reject: ':no_entry:', rollback: ':rewind:', lock: ':lock:',
  unlock: ':unlock:', cancel: ':no_entry_sign:', expire: ':hourglass:', 'break-glass': ':rotating_light:', force: ':warning:',
  quarantine: ':biohazard_sign:', unquarantine: ':white_check_mark:', freeze: ':snowflake:', unfreeze: ':sunny:',
  tamper: ':warning:',
};

/** `versions`: the version tag of a sha, for the deployments whose release became a version. */
export function historyMessage(
  service: string,
  environment: string | undefined,
  deployments: readonly Deployment[],
  audit: readonly AuditEntry[],
  versions: ReadonlyMap<string, string> = new Map(),
): Message {
  const where = environment ? `${service} ${environment}` : service;
  const version = (sha: string) => (versions.has(sha) ? ` :label: ${code(versions.get(sha) ?? '')}` : '');
  const deployLines = deployments.map((d) => `• ${d.at} ${escapeMrkdwn(d.environment)} ${code(d.release.tag)}${version(d.release.sha)} — ${d.outcome} (${who(d.by)}, run ${code(d.runId)})`);
  const auditLines = audit.map((e) => `${ACTION_ICON[e.action]} ${e.at} ${e.action}${e.environment ? ` ${escapeMrkdwn(e.environment)}` : ''} by ${who(e.by)}${e.detail ? `: ${escapeMrkdwn(e.detail)}` : ''}`);
  return {
    text: cut(escapeMrkdwn(`History of ${where}: ${deployments.length} deployment(s), ${audit.length} audit entries`), LIMITS.notificationText),
    blocks: [
      section(fitLines([`*Deployments of ${escapeMrkdwn(where)}*`, ...(deployLines.length > 0 ? deployLines : ['_none yet_'])], LIMITS.sectionText, { what: 'deployments', elsewhere: 'not shown' })),
      section(fitLines(['*Audit log*', ...(auditLines.length > 0 ? auditLines : ['_nothing yet_'])], LIMITS.sectionText, { what: 'entries', elsewhere: 'not shown' })),
    ],
  };
}
