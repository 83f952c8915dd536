import { z } from 'zod';
import { lockAllows } from '../src/core/approval-policy.js';
import { code } from '../src/core/messages/blocks.js';
import { ephemeralEnvName } from '../src/core/naming.js';
import { configuredCloneUrl } from '../src/core/repo-match.js';
import { routeFor } from '../src/core/routing.js';
import { newRun, stageEnvironment, stageKind } from '../src/core/run.js';
import { planDeployTo, planStages, type RunTarget } from '../src/core/stage-plan.js';
import { startRun } from '../src/intake/start-run.js';
import { CommandInputError, pickService, type SlashCommand, words } from './slash-command.js';

type DeployArgs = { branch: string; environment?: string; service?: string };

const deployWords = words.transform((parts, ctx) => {
  const [branch, ...rest] = parts;
  if (!branch) {
    ctx.addIssue({ code: 'custom', message: 'Name the branch to deploy.' });
    return z.NEVER;
  }
  let environment: string | undefined;
  if (rest[0] === 'to') {
    environment = rest[1];
    if (!environment) {
      ctx.addIssue({ code: 'custom', message: 'Say which environment after "to".' });
      return z.NEVER;
    }
    rest.splice(0, 2);
  }
  if (rest.length > 1) {
    ctx.addIssue({ code: 'custom', message: `Did not understand "${rest.join(' ')}".` });
    return z.NEVER;
  }
  return { branch, environment, service: rest[0] } satisfies DeployArgs;
});

/** `/deploy <branch> [to <env>] [service]`: the pipeline for the branch's head, up to the environment's gate. */
export const deployCommand: SlashCommand<DeployArgs> = {
  name: '/deploy',
  usage: '/deploy <branch> [to <env>] [service]',
  example: '/deploy main to production',
  summary: 'runs the pipeline for a branch head; an environment behind approval is run up to its gate',
  args: deployWords,
  async run(args, deps, invocation) {
    const service = pickService(deps.services, args.service);
    const route = routeFor(service.branches, args.branch);
    const routed: RunTarget | undefined = route && {
      environment: route.deploy === 'ephemeral' ? ephemeralEnvName(service.name, args.branch) : route.deploy,
      ephemeral: route.deploy === 'ephemeral',
    };
    if (args.environment && !service.environments.some((e) => e.name === args.environment)) {
      throw new CommandInputError(`${service.name} has no environment "${args.environment}": ${service.environments.map((e) => e.name).join(', ')}.`);
    }
    if (!routed && !args.environment) {
      throw new CommandInputError(`Branch ${args.branch} has no route in slipway.yml: say where it goes, e.g. /deploy ${args.branch} to ${service.environments[0]?.name}.`);
    }
    const target: RunTarget = routed && !(args.environment && routed.ephemeral) ? routed : { environment: args.environment ?? '', ephemeral: false };
    const stages = args.environment ? planDeployTo(service, target, args.environment) : planStages(service, target);

    // A locked environment refuses the deploy now, not half way through the run.
    const firstDeploy = stages.find((s) => stageKind(s) === 'deploy');
    const env = firstDeploy && stageEnvironment(firstDeploy);
    const lock = env ? await deps.locks.get(service.name, env) : undefined;
    const allowed = lockAllows(lock, invocation.userId);
    if (!allowed.ok) return { text: `:lock: ${allowed.reason}. Nothing was started.`, visibility: 'ephemeral' };

    const recent = await deps.runs.listByService(service.name, 100);
    const cloneUrl = configuredCloneUrl(service) ?? recent[0]?.cloneUrl;
    if (!cloneUrl) throw new CommandInputError(`slipway does not know where to clone ${service.name} from yet: set its cloneUrl in slipway.yml.`);
    const sha = await deps.branchHead(service, cloneUrl, args.branch);
    if (!sha) throw new CommandInputError(`There is no branch "${args.branch}" in ${service.name}'s repository.`);
    const earlier = recent.find((r) => r.sha === sha);
    const run = newRun(
      {
        id: deps.newRunId(service.name),
        service: service.name,
        trigger: 'deploy',
        branch: args.branch,
        sha,
        author: earlier?.author ?? { name: invocation.userName },
        triggeredBy: { name: invocation.userName, username: invocation.userId },
        commits: earlier?.commits ?? [],
        cloneUrl,
        source: earlier?.source,
        target,
        stages,
      },
      deps.now(),
    );
    await startRun(run, `deploy:${run.id}`, deps);
    await deps.audit.record({ at: run.createdAt, service: service.name, environment: args.environment ?? target.environment, action: 'deploy', by: invocation.userId, runId: run.id, detail: `${args.branch} @ ${sha.slice(0, 7)}` });
    const where = stages.filter((s) => stageKind(s) === 'deploy' || stageKind(s) === 'approval').join(' → ');
    return { text: `Started run ${code(run.id)}: ${code(args.branch)} @ ${code(sha.slice(0, 7))} → ${where}. Follow it in ${service.channel}.`, visibility: 'ephemeral' };
  },
};
