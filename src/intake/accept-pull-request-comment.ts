import { CommandInputError, CommandRefusal, type CommandDeps } from '../../commands/slash-command.js';
import { deploy, type DeployOrigin } from '../../commands/deploy.js';
import { lockedLine } from '../core/approval-policy.js';
import { refusedAnswer, startedAnswer } from '../core/messages/pull-request-answer.js';
import type { Logger, PullRequests } from '../core/ports.js';
import type { PullRequestComment, PullRequestHook } from '../core/pull-request-comment.js';
import { decideComment, isFork, pullRequestBranch, pullRequestRefusal } from '../core/pull-request-policy.js';
import { routeFor } from '../core/routing.js';
import type { Run } from '../core/run.js';
import { acceptPullRequestClosed, type CommentAnswer, rememberEnvironment } from './accept-pull-request-closed.js';

export type { CommentAnswer };

export type AcceptCommentDeps = {
  /** What `/deploy` in Slack uses: the same path starts the run. */
  commands: CommandDeps;
  pullRequests: PullRequests;
  runUrl?(runId: string): string;
  log: Logger;
};

/** Hosts redeliver for days at most; a week covers every retry schedule we know of (as for pushes). */
const DELIVERY_MEMORY_SECONDS = 7 * 24 * 3600;

const ignored = (reason: string): CommentAnswer => ({ status: 200, body: { status: 'ignored', reason } });

/** A verified pull request webhook: a comment (maybe a `/deploy`), or the pull request closed. */
export function acceptPullRequestHook(event: PullRequestHook, deps: AcceptCommentDeps): Promise<CommentAnswer> {
  if ('closed' in event) return acceptPullRequestClosed(event, deps.commands);
  return acceptPullRequestComment(event, deps);
}

/**
 * A verified `issue_comment`: a new `/deploy` on an open pull request, by someone slipway.yml's `people:` names,
 * deploys the pull request's head (read from the host's API) through `/deploy`'s own path: to its ephemeral
 * environment, or to the environment named, with that environment's lock taken for the person. Whatever
 * happens is answered in the pull request, once: a redelivery (same delivery id, or the same comment again)
 * starts and answers nothing.
 */
export async function acceptPullRequestComment(event: PullRequestComment, deps: AcceptCommentDeps): Promise<CommentAnswer> {
  const { commands, pullRequests } = deps;
  const decision = decideComment(event, commands.services, commands.people);
  if (decision.kind === 'ignored') return ignored(decision.reason);
  if (!pullRequests.reaches(event.host)) {
    return ignored(`slipway has no API token for ${event.host} (GITHUB_TOKEN, or GITEA_TOKEN with GITEA_API_URL): it cannot read the pull request's head nor answer there`);
  }

  // Claimed before anything is done: the delivery, and the comment (its creation, or its first edit).
  const handled = JSON.stringify(ignored(`comment ${event.comment.id} on #${event.number} was handled already: nothing more is done`));
  const keys = [`delivery:${event.host}:${event.deliveryId}`, `pr-comment:${event.host}:${event.repo.fullName.toLowerCase()}:${event.comment.id}:${event.action === 'created' ? 'created' : 'edited'}`] as const;
  const claimed = await commands.once.claimGroup({ key: keys[0], value: handled }, [{ key: keys[1], value: handled }], DELIVERY_MEMORY_SECONDS);
  if ('held' in claimed || claimed.rest[0] !== undefined) return JSON.parse(handled) as CommentAnswer;

  const answer = async (reason: string): Promise<CommentAnswer> => {
    await pullRequests.comment(event.host, event.repo.fullName, event.number, refusedAnswer(reason, commands.people));
    return { status: 200, body: { status: 'refused', reason } };
  };
  let startedRun: Run | undefined;
  try {
    if (decision.kind === 'refused') return await answer(decision.reason);
    const { service, environment, slackId } = decision;
    const pull = await pullRequests.read(event.host, event.repo.fullName, event.number);
    const refusal = pullRequestRefusal(pull, service, environment);
    if (refusal) return await answer(refusal);

    const branch = pullRequestBranch(pull);
    const fork = isFork(pull);
    const origin: DeployOrigin = {
      sha: pull.head.sha,
      source: { host: event.host, fullName: event.repo.fullName },
      author: { name: pull.author, username: pull.author },
      pullRequest: { number: pull.number, by: event.comment.author, url: pull.url, fork },
      async beforeStart(run) {
        // Behind an approval gate the gate holds the environment for its approvers: a lock of the person's
        // would stop them approving (a locked environment is approved by its holder only).
        const gated = !!environment && !!service.environments.find((e) => e.name === environment)?.requireApproval;
        const lock = environment && !gated ? await takeLock(service.name, environment, slackId, event, service.lockReminderHours, deps) : undefined;
        if (lock && 'refused' in lock) return lock;
        const answerId = await pullRequests
          .comment(event.host, event.repo.fullName, event.number, startedAnswer(run, deps.runUrl?.(run.id), lock?.note))
          .catch((error: unknown) => {
            deps.log.warn({ err: error, runId: run.id }, 'cannot answer the pull request: the outcome comes as a comment of its own');
            return undefined;
          });
        startedRun = { ...run, pullRequest: { ...origin.pullRequest, answerId } };
        // An environment no branch deletion would tear down goes when the pull request is closed.
        if (!environment && (fork || routeFor(service.branches, branch)?.deploy !== 'ephemeral')) {
          await rememberEnvironment(commands.once, event, service.name, { branch, environment: run.target.environment, fork, runId: run.id });
        }
        return startedRun;
      },
    };
    let reply;
    try {
      reply = await deploy({ branch, environment, service: service.name, ephemeral: !environment }, commands, { text: event.comment.body, userId: slackId, userName: event.comment.author }, false, origin);
    } catch (error) {
      if (error instanceof CommandInputError || error instanceof CommandRefusal) return await answer(error.message);
      throw error;
    }
    const run = startedRun as Run | undefined;
    if (!run) return await answer(reply.text);
    return { status: 202, body: { status: 'queued', runId: run.id } };
  } catch (error) {
    // The run is queued, and only what follows failed (its audit line): it is the answer, and stays claimed.
    if (startedRun && (await commands.runs.get(startedRun.id).catch(() => undefined))) {
      deps.log.warn({ err: error, runId: startedRun.id }, 'a run from a pull request started, but what follows its start failed');
      return { status: 202, body: { status: 'queued', runId: startedRun.id } };
    }
    // The host's API or Redis failed: a redelivery tries again. An answer already posted says so.
    await Promise.allSettled(keys.map((key) => commands.once.forget(key)));
    const answerId = startedRun?.pullRequest?.answerId;
    if (answerId !== undefined) {
      const note = refusedAnswer('the run could not be queued (slipway\'s Redis did not answer); the host\'s redelivery of the comment will try again, or comment /deploy again', commands.people);
      await pullRequests.editComment(event.host, event.repo.fullName, answerId, note).catch(() => undefined);
    }
    throw error;
  }
}

/**
 * `/deploy <environment>` from a pull request takes the environment's lock for the person, as `/slipway lock`
 * would (with its reminder), unless they hold it already; someone else's lock refuses the deploy. (Not called
 * for an environment behind an approval gate.)
 */
async function takeLock(service: string, environment: string, slackId: string, event: PullRequestComment, reminderHours: number, { commands }: AcceptCommentDeps): Promise<{ note: string } | { refused: string }> {
  const held = await commands.locks.get(service, environment);
  if (held?.by === slackId) return { note: `@${event.comment.author} holds the ${environment} lock already.` };
  const at = commands.now();
  const reason = `deploying pull request #${event.number}`;
  const taken = await commands.locks.take({ service, environment, by: slackId, reason, at: at.toISOString() });
  if (!taken.ok) return { refused: `${lockedLine(taken.lock)}. Nothing was started.` };
  await commands.audit.record({ at: at.toISOString(), service, environment, action: 'lock', by: slackId, detail: reason });
  await commands.remindLockHolder(taken.lock, new Date(at.getTime() + reminderHours * 3600_000));
  return { note: `slipway locked ${service} ${environment} for @${event.comment.author}, so no other deploy replaces this one: \`/slipway unlock ${environment}\` in Slack when you are done.` };
}
