import { commandHelp } from '../../commands/index.js';
import { confirmRollback, type RollbackRequest } from '../../commands/rollback-confirm.js';
import type { CommandDeps } from '../../commands/slash-command.js';
import { vegaChartRenderer } from '../adapters/charts/vega-chart-renderer.js';
import { remoteHead } from '../adapters/git/remote-head.js';
import type { ServiceConfig } from '../core/config-schema.js';
import { environmentSpec } from '../core/environment-spec.js';
import { type ApprovalClick, decideApproval } from '../intake/approval-decision.js';
import { retryRun } from '../intake/retry-run.js';
import { postStatsChart } from '../queue/post-stats-chart.js';
import { newRunId } from '../intake/run-id.js';
import type { Parts } from './parts.js';

/** What people can do, by command or button, with what each needs. */
export function peopleActions(parts: Parts) {
  const { stores, services, people, queue, chat, now, signingKey, gates, targets, processEnv, links, log } = parts;
  const slack = chat.slack;
  const renderer = vegaChartRenderer();
  const actionDeps = { ...stores, services, people, queue, directory: chat.directory, newRunId, now, signingKey };
  const commandDeps: CommandDeps = {
    ...actionDeps,
    commands: commandHelp,
    remindLockHolder: (lock, at) => gates.remindLockHolder(lock, at),
    charts: slack && { post: (request) => void postStatsChart({ slack, charts: renderer, log }, request) },
    servicePageUrl: links && ((service) => links.serviceUrl(service)),
    targetStatus: async (service, environment) => {
      const spec = environmentSpec(service, environment);
      return spec ? targets(spec).status() : { health: 'unknown' };
    },
    branchHead: (service: ServiceConfig, url: string, branch: string) =>
      remoteHead(url, branch, { token: service.cloneTokenEnv ? processEnv[service.cloneTokenEnv] : undefined }),
  };
  // What a Slack button or its console choice does: the same functions either way.
  return {
    commandDeps,
    retry: (runId: string, by: { name: string; username: string }, options?: { fromFailedStage?: boolean }) => retryRun(runId, by, actionDeps, options),
    decide: (click: ApprovalClick) => decideApproval(click, actionDeps),
    rollback: (request: RollbackRequest, user: { id: string; name: string }, buttonId: string) => confirmRollback(request, user, buttonId, actionDeps),
  };
}

export type PeopleActions = ReturnType<typeof peopleActions>;
