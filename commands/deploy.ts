import { z } from 'zod';
import { lockAllows } from '../src/core/approval-policy.js';
import { promotionGaps } from '../src/core/deploy-conditions.js';
import { activeFreeze, activeFreezes, brokenFreeze, freezeLine, freezeWindows } from '../src/core/freeze.js';
import { type Block, code, escapeMrkdwn, section } from '../src/core/messages/blocks.js';
import { ephemeralEnvName, nameTooLong } from '../src/core/naming.js';
import { branchNameProblem } from '../src/core/ref-name.js';
import { configuredCloneUrl } from '../src/core/repo-match.js';
import { routeFor } from '../src/core/routing.js';
import { newRun, type Run, type StageName, stageEnvironment, stageKind } from '../src/core/run.js';
import { planDeployTo, planStages, type RunTarget } from '../src/core/stage-plan.js';
import { startRun } from '../src/queue/start-run.js';
import { deployWhy } from './deploy-why.js';
import { type CommandDeps, CommandInputError, type Invocation, isApproverOf, pickService, type Reply, type SlashCommand, wordsOf } from './slash-command.js';

export const OVERRIDE_FREEZE_ACTION = 'override_freeze';

type DeployArgs = { branch: string; environment?: string; service?: string; reason?: string; /** to the branch's ephemeral environment, whatever its route */ ephemeral?: boolean };

/**
 * A deploy asked for from elsewhere than Slack (a `/deploy` comment on a pull request): the commit is known (the
 * pull request's head, not the branch read again), and so are its repository, author and origin. `beforeStart`
 * is the last step before the run starts, once every check passed: it may refuse, or change the run.
 */
export type DeployOrigin = {
  sha: string;
  source: NonNullable<Run['source']>;
  author: Run['author'];
  pullRequest: NonNullable<Run['pullRequest']>;
  beforeStart(run: Run): Promise<Run | { refused: string }>;
};
type Parsed = DeployArgs | { why: string[] };

/** `<branch> [to <env>] [service] [reason: …]`, or `why [service] [env]`. */
const deployWords = z.string().transform((text, ctx): Parsed => {
  const at = text.search(/\breason:/);
  const reason = at < 0 ? undefined : text.slice(at + 'reason:'.length).trim() || undefined;
  const parts = wordsOf(at < 0 ? text : text.slice(0, at), ctx);
  if (!parts) return z.NEVER;
  if (parts[0] === 'why') return { why: parts.slice(1) };
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
  const tooLong = nameTooLong('branch', branch) ?? (environment && nameTooLong('environment', environment)) ?? (rest[0] && nameTooLong('service', rest[0]));
  if (tooLong) {
    ctx.addIssue({ code: 'custom', message: tooLong });
    return z.NEVER;
  }
  return { branch, environment, service: rest[0], reason };
});

/** `/deploy <branch> [to <env>] [service]`: the pipeline for the branch's head, up to the environment's gate. */
export const deployCommand: SlashCommand<Parsed> = {
  name: '/deploy',
  usage: '/deploy <branch> [to <env>] [service] | /deploy why [service] [env]',
  example: '/deploy main to production',
  summary: 'runs the pipeline for a branch head (up to an approval gate); `why` lists what keeps the newest release out',
  args: deployWords,
  run: (args, deps, invocation) => ('why' in args ? deployWhy(args.why, deps, invocation.channel) : deploy(args, deps, invocation, false)),
};

/** `/deploy force <branch> … reason: …`: forced by an approver — past a freeze (one more approval) or a branch behind. */
export const forceDeployCommand: SlashCommand<Parsed> = {
  name: '/deploy force',
  usage: '/deploy force <branch> [to <env>] [service] reason: <why>',
  example: '/deploy force hotfix/checkout to production reason: checkout is down',
  summary: 'breaks glass: deploys through a freeze (an approver, plus one more approval) or a branch behind the default one',
  args: deployWords.refine((a) => !('why' in a) && !!a.reason, 'Say why after "reason:": it goes to the audit log and the channel.'),
  run: (args, deps, invocation) => deploy(args as DeployArgs, deps, invocation, true),
};

/**
 * `/deploy` in Slack, and a `/deploy` comment on a pull request (src/intake/accept-pull-request-comment.ts, with
 * an `origin`): the same checks (locks, freezes, promotion order, the branch's name) and the same run.
 */
export async function deploy(args: DeployArgs, deps: CommandDeps, invocation: Invocation, force: boolean, origin?: DeployOrigin): Promise<Reply> {
  const service = pickService(deps.services, args.service, invocation.channel);
  if (args.ephemeral && !service.ephemeral) throw new CommandInputError(`${service.name} has no ephemeral environments: its slipway.yml has no ephemeral section.`);
  const route = args.ephemeral ? { match: args.branch, deploy: 'ephemeral' } : routeFor(service.branches, args.branch);
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
  let stages = args.environment ? planDeployTo(service, target, args.environment) : planStages(service, target);
  const deploysTo = stages.filter((s) => stageKind(s) === 'deploy').map((s) => stageEnvironment(s) ?? '');

  // A locked environment refuses the deploy now, not half way through the run: the first one it reaches, and the
  // one asked for by name. A lock further along (production, behind its gate) only holds the run at that gate.
  for (const env of new Set([deploysTo[0], args.environment].filter((e): e is string => !!e))) {
    const allowed = lockAllows(await deps.locks.get(service.name, env), invocation.userId);
    if (!allowed.ok) return { text: `:lock: ${allowed.reason}. Nothing was started.`, visibility: 'ephemeral' };
  }

  const now = deps.now();
  const frozen = (
    await Promise.all(
      deploysTo.map(async (env) => {
        const windows = freezeWindows(service.environments.find((e) => e.name === env)?.freezes ?? [], await deps.freezes.get(service.name, env));
        const freeze = activeFreeze(windows, now);
        return freeze ? [{ env, freeze, all: activeFreezes(windows, now) }] : [];
      }),
    )
  ).flat();
  if (frozen.length > 0 && !force) return freezeRefusal(frozen[0]!.env, freezeLine(frozen[0]!.env, frozen[0]!.freeze), args, service.name);
  if (force) {
    // Breaking glass is for approvers, whatever it breaks: a freeze, or the outdated-branch guard.
    for (const { env } of frozen) {
      if (!(await isApproverOf(deps, service, env, invocation.userId))) return { text: `Only an approver of ${env} can break its freeze. Nothing was started.`, visibility: 'ephemeral' };
    }
    for (const env of deploysTo) {
      if (!(await isApproverOf(deps, service, env, invocation.userId))) return { text: `Only an approver of ${env} can force a deploy there with /deploy force. Nothing was started.`, visibility: 'ephemeral' };
    }
  }
  if (force && frozen.length > 0) {
    // Breaking a freeze always goes through an approval gate, which then asks for one approver more.
    const gated = new Set(frozen.map((x) => x.env).filter((env) => !stages.includes(`approval:${env}`)));
    stages = stages.flatMap((s): StageName[] => (stageKind(s) === 'deploy' && gated.has(stageEnvironment(s) ?? '') ? [`approval:${stageEnvironment(s)}`, s] : [s]));
  }

  const recent = await deps.runs.listByService(service.name, 100);
  // From config alone: a URL stored by an earlier run came from a payload once, and is not trusted.
  const cloneUrl = configuredCloneUrl(service, recent.find((r) => r.source)?.source?.host);
  if (!cloneUrl) throw new CommandInputError(`slipway does not know where to clone ${service.name} from: set its cloneUrl in slipway.yml.`);
  const badBranch = branchNameProblem(args.branch);
  if (badBranch) throw new CommandInputError(`"${args.branch.slice(0, 100)}" is not a branch name git accepts: it ${badBranch}.`);
  const sha = origin?.sha ?? (await deps.branchHead(service, cloneUrl, args.branch));
  if (!sha) throw new CommandInputError(`There is no branch "${args.branch}" in ${service.name}'s repository.`);

  // Promotion order: an environment takes only releases that got through the ones before it.
  const release = await deps.releases.get(service.name, sha);
  const passed = new Set([...(release ? await deps.passes.passed(service.name, release.digest) : []), ...deploysTo]);
  const gaps = target.ephemeral ? [] : promotionGaps(service, deploysTo[0] ?? '', passed);
  if (gaps.length > 0) {
    return { text: `${deploysTo[0]} takes only releases that got through ${gaps.join(' and ')} first, and ${code(sha.slice(0, 7))} has not. Deploy it there first: /deploy ${args.branch} to ${gaps[0]}. Nothing was started.`, visibility: 'ephemeral' };
  }

  const earlier = recent.find((r) => r.sha === sha);
  let run = newRun(
    {
      id: deps.newRunId(service.name),
      service: service.name,
      trigger: 'deploy',
      branch: args.branch,
      sha,
      author: origin?.author ?? earlier?.author ?? { name: invocation.userName },
      triggeredBy: { name: invocation.userName, username: invocation.userId },
      commits: earlier?.commits ?? [],
      cloneUrl,
      source: origin?.source ?? earlier?.source,
      ...(origin ? { pullRequest: origin.pullRequest } : {}),
      target,
      stages,
      ...(force ? { override: { by: invocation.userId, reason: args.reason ?? '' } } : {}),
      // The freezes this break glass is for; one declared later stops the run again (checked at every gate and deploy).
      ...(force && frozen.length > 0 ? { breaks: frozen.flatMap((f) => f.all.map((freeze) => brokenFreeze(f.env, freeze))) } : {}),
    },
    now,
  );
  if (origin) {
    const ready = await origin.beforeStart(run);
    if ('refused' in ready) return { text: ready.refused, visibility: 'ephemeral' };
    run = ready;
  }
  await startRun(run, `deploy:${run.id}`, deps);
  const environment = args.environment ?? target.environment;
  const from = origin ? ` from pull request #${origin.pullRequest.number}` : '';
  const detail = `${args.branch} @ ${sha.slice(0, 7)}${from}${force ? `, forced: ${args.reason}` : ''}`;
  await deps.audit.record({ at: run.createdAt, service: service.name, environment, action: 'deploy', by: invocation.userId, runId: run.id, detail });
  const where = stages.filter((s) => stageKind(s) === 'deploy' || stageKind(s) === 'approval').join(' → ');
  const started = `Started run ${code(run.id)}: ${code(args.branch)} @ ${code(sha.slice(0, 7))} → ${where}.`;
  if (!force) return { text: `${started} Follow it in ${service.channel}.`, visibility: 'ephemeral' };

  // Forcing is done in the open: the channel sees who, why, and what it needs.
  const breaking = frozen.map((f) => escapeMrkdwn(freezeLine(f.env, f.freeze)));
  await deps.audit.record({ at: run.createdAt, service: service.name, environment, action: breaking.length > 0 ? 'break-glass' : 'force', by: invocation.userId, runId: run.id, detail: `${args.reason}${breaking.length > 0 ? ` (${breaking.join('; ')})` : ''}` });
  const what = breaking.length > 0 ? `is breaking the freeze (${breaking.join('; ')}); one more approver must approve on the card` : 'forced a deploy past the outdated-branch guard';
  return { text: `:rotating_light: <@${invocation.userId}> ${what}. Reason: ${escapeMrkdwn(args.reason ?? '')}. ${started}`, visibility: 'in_channel' };
}

/** The refusal of a deploy into a freeze, with the button an approver can press to break glass. */
function freezeRefusal(environment: string, line: string, args: DeployArgs, service: string): Reply {
  const text = `:snowflake: ${escapeMrkdwn(line)}. Nothing was started. An approver can break glass: /deploy force ${escapeMrkdwn(args.branch)} to ${environment} reason: …`;
  const blocks: Block[] = [
    section(text),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: OVERRIDE_FREEZE_ACTION,
          style: 'danger',
          text: { type: 'plain_text', text: 'Override freeze' },
          value: JSON.stringify({ service, branch: args.branch, environment }),
        },
      ],
    },
  ];
  return { text, blocks, visibility: 'ephemeral' };
}
