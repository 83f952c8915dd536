import { channelAllows, channelRefusal } from '../src/core/channels.js';
import { z } from 'zod';
import { statusMessage } from '../src/core/messages/status-message.js';
import type { TargetStatus } from '../src/core/ports.js';
import { isActive } from '../src/core/run.js';
import { CommandRefusal, pickService, type SlashCommand, words } from './slash-command.js';

/** `/slipway status [service]`: per environment its release, who deployed it and when, locks; approvals waiting; runs. */
export const statusCommand: SlashCommand<{ service?: string }> = {
  name: '/slipway status',
  usage: '/slipway status [service]',
  example: '/slipway status discounts',
  summary: 'what runs where, locks, approvals waiting, and runs queued or running',
  args: words
    .pipe(z.array(z.string()).max(1, { error: 'Give at most one service name.' }))
    .transform(([service]) => ({ service })),
  async run({ service }, deps, invocation) {
    const here = deps.services.filter((s) => !invocation.channel || channelAllows(s, invocation.channel));
    if (service === undefined && here.length === 0 && deps.services[0]) throw new CommandRefusal(channelRefusal(deps.services[0]));
    const services = service === undefined ? here : [pickService(deps.services, service, invocation.channel)];
    const statuses = await Promise.all(
      services.map(async (s) => ({
        service: s,
        environments: await Promise.all(
          s.environments.map(async (e) => {
            const target = await withinAckTime(deps.targetStatus(s, e.name));
            const current = await deps.deployments.current(s.name, e.name);
            return {
              name: e.name,
              current,
              // With releases:, the version of what runs there (any environment may run a versioned release).
              version: current && s.releases ? (await deps.versions.ofSha(s.name, current.release.sha))?.tag : undefined,
              health: target.health,
              running: target.running?.image,
              replicas: target.replicas,
              lock: await deps.locks.get(s.name, e.name),
            };
          }),
        ),
        pending: await deps.approvals.pending(s.name),
        activeRuns: (await deps.runs.listByService(s.name, 50)).filter(isActive),
      })),
    );
    return { ...statusMessage(statuses), visibility: 'ephemeral' };
  },
};

/** The answer goes in Slack's ack (3 s): a host slower than this (ssh, a silent engine) is reported as such. */
const TARGET_STATUS_MS = 2_000;

async function withinAckTime(status: Promise<TargetStatus>): Promise<TargetStatus> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<TargetStatus>((resolve) => {
    timer = setTimeout(() => resolve({ health: `unknown: the target did not answer within ${TARGET_STATUS_MS / 1000} s` }), TARGET_STATUS_MS);
  });
  try {
    return await Promise.race([status, late]);
  } finally {
    clearTimeout(timer);
  }
}
