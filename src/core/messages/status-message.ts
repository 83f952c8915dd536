import type { ServiceConfig } from '../config-schema.js';
import type { Run } from '../run.js';
import { code, context, escapeMrkdwn, type Message, section } from './blocks.js';

export type ServiceStatus = { service: ServiceConfig; activeRuns: readonly Run[] };

const RUN_ICON: Record<string, string> = { queued: ':hourglass_flowing_sand:', running: ':arrows_counterclockwise:', waiting: ':raised_hand:' };

export function statusMessage(statuses: readonly ServiceStatus[]): Message {
  if (statuses.length === 0) {
    return {
      text: 'No services are configured.',
      blocks: [section('No services are configured yet: add one to `slipway.yml` (the README has an example).')],
    };
  }
  const blocks = statuses.flatMap(({ service, activeRuns }) => [
    section(`*${escapeMrkdwn(service.name)}* · ${escapeMrkdwn(service.channel)}\n${environmentLine(service)}`),
    activeRuns.length === 0 ? context('No runs queued or running.') : section(activeRuns.map(runLine).join('\n')),
  ]);
  const text = statuses
    .map(({ service, activeRuns }) => `${service.name}: ${service.environments.map((e) => e.name).join(' → ')}; ${activeRuns.length} active run(s)`)
    .join('\n');
  return { text, blocks };
}

function environmentLine(service: ServiceConfig): string {
  const chain = service.environments
    .map((env) => `${escapeMrkdwn(env.name)} :${env.port}${env.requireApproval ? ' (approval)' : ''}`)
    .join(' → ');
  return service.ephemeral ? `${chain} · ephemeral :${service.ephemeral.ports.from}-${service.ephemeral.ports.to}` : chain;
}

function runLine(run: Run): string {
  const current = run.stages.find((s) => s.status === 'running')?.name;
  const where = current ? ` (${current})` : '';
  return `${RUN_ICON[run.status] ?? ''} ${code(run.id)} ${code(run.branch)} @ ${code(run.sha.slice(0, 7))} by ${escapeMrkdwn(run.author.name)} — ${run.status}${where}`;
}
