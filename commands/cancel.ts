import { z } from 'zod';
import type { ServiceConfig } from '../src/core/config-schema.js';
import { personFromConfig } from '../src/core/people.js';
import { cancelKey, cancelRun, isFinished, type Run, slackTriggerOf, stageEnvironment } from '../src/core/run.js';
import { type CommandDeps, isApproverOf, pickService, type SlashCommand, words } from './slash-command.js';

/**
 * `/slipway cancel <run>`: a queued run is taken off the queue, a run at a gate is closed there, and a running one stops
 * at the end of its current stage (its worker cleans up its work dir and test images).
 */
export const cancelCommand: SlashCommand<string> = {
  name: '/slipway cancel',
  usage: '/slipway cancel <run>',
  example: '/slipway cancel discounts-k3m9x2pq',
  summary: 'stops a queued or running run',
  args: words.pipe(z.tuple([z.string()], { error: 'Give the run id, as shown on the run’s message.' })).transform(([id]) => id),
  async run(runId, deps, invocation) {
    const run = await deps.runs.get(runId);
    if (!run) return { text: `There is no run ${runId}.`, visibility: 'ephemeral' };
    // Only in the service's channels, and only by who started the run or an approver of where it goes.
    const service = pickService(deps.services, run.service, invocation.channel);
    if (!(await mayCancel(deps, service, run, invocation.userId))) {
      return { text: `Only whoever started run ${runId} or an approver of ${service.name} can cancel it.`, visibility: 'ephemeral' };
    }
    if (isFinished(run)) return { text: `Run ${runId} has already ended: ${run.status}.`, visibility: 'ephemeral' };
    const at = deps.now();
    const by = `<@${invocation.userId}>`;
    await deps.audit.record({ at: at.toISOString(), service: run.service, environment: run.target.environment, action: 'cancel', by: invocation.userId, runId });

    if (run.status === 'waiting') {
      // Closed at the gate only if no approval got there first; an approval that won goes on, and is stopped
      // below like any running run, before its next stage.
      let approvedFirst = false;
      for (const stage of run.stages.filter((s) => s.name.startsWith('approval:') && s.status === 'running')) {
        const decided = await deps.approvals.decide(run.id, stage.name.slice('approval:'.length), { state: 'cancelled', by: invocation.userId, at: at.toISOString() });
        if (!decided.ok && decided.approval.state === 'approved') approvedFirst = true;
      }
      if (!approvedFirst) {
        await deps.runs.save(cancelRun(run, by, at));
        return { text: `Cancelled run ${runId} at its approval gate.`, visibility: 'ephemeral' };
      }
    }
    // Leave the request for a worker first: if one has just picked the run up, it stops at the next stage.
    await deps.once.claim(cancelKey(run.id), by, 7 * 24 * 3600);
    if (run.status === 'queued' && (await deps.queue.remove(run))) {
      await deps.runs.save(cancelRun(run, by, at));
      return { text: `Cancelled run ${runId} before it started.`, visibility: 'ephemeral' };
    }
    return { text: `Run ${runId} will stop at the end of its current stage.`, visibility: 'ephemeral' };
  },
};

/**
 * Who started the run (its Slack id when Slack told us; a pusher as `people:` or Slack's e-mail lookup names
 * them), or an approver of any environment the run goes to.
 */
async function mayCancel(deps: CommandDeps, service: ServiceConfig, run: Run, userId: string): Promise<boolean> {
  const trigger = slackTriggerOf(run) ?? personFromConfig(deps.people, run.triggeredBy) ?? (await deps.directory.userIdByEmail(run.triggeredBy.email).catch(() => undefined));
  if (trigger === userId) return true;
  const environments = new Set([run.target.environment, ...run.stages.map((s) => stageEnvironment(s.name)).filter((e): e is string => !!e)]);
  for (const environment of environments) if (await isApproverOf(deps, service, environment, userId)) return true;
  return false;
}
