import { code } from '../src/core/messages/blocks.js';
import { releaseEnvironment } from '../src/core/releases/versioning.js';
import { runOfBuiltRelease } from '../src/core/run.js';
import { startRun } from '../src/queue/start-run.js';
import { isApproverOf, pickService, type SlashCommand, words } from './slash-command.js';

/** A second `/slipway release` within this time points at the first one's run. */
const ONCE_SECONDS = 120;

/**
 * `/slipway release [service]`: makes the version of what the release environment runs again, when a step of
 * it failed (the host was down, the registry refused): a run with the one stage `release:ENV`. The version
 * claimed then is kept, and tags or releases already made count as done: nothing is made twice.
 */
export const releaseCommand: SlashCommand<string[]> = {
  name: '/slipway release',
  usage: '/slipway release [service]',
  example: '/slipway release discounts',
  summary: 'redoes the version of what production runs (tag, image tag, host release) when a step failed; approvers only',
  args: words,
  async run(parts, deps, invocation) {
    const service = pickService(deps.services, parts[0], invocation.channel);
    const environment = releaseEnvironment(service);
    if (!environment) return { text: `${service.name} makes no versions: add releases: to it in slipway.yml.`, visibility: 'ephemeral' };
    if (!(await isApproverOf(deps, service, environment, invocation.userId))) return { text: `Only an approver of ${environment} can redo a version.`, visibility: 'ephemeral' };
    const current = await deps.deployments.current(service.name, environment);
    if (!current) return { text: `Nothing runs in ${service.name} ${environment} yet.`, visibility: 'ephemeral' };

    const id = deps.newRunId(service.name);
    const claimKey = `release-again:${service.name}:${current.release.sha}`;
    const earlier = await deps.once.claim(claimKey, id, ONCE_SECONDS);
    if (earlier !== undefined) return { text: `The version of ${code(current.release.tag)} is being made by run ${code(earlier)}.`, visibility: 'ephemeral' };
    const built = await deps.runs.get(current.runId);
    const run = runOfBuiltRelease(
      { id, service: service.name, trigger: 'deploy', release: current.release, built, by: { name: invocation.userName, id: invocation.userId }, environment, stages: [`release:${environment}`] },
      deps.now(),
    );
    await startRun(run, claimKey, deps);
    return { text: `Making the version of ${code(current.release.tag)} (${service.name} ${environment}) as run ${code(id)}.`, visibility: 'in_channel' };
  },
};
