import type { People, ServiceConfig } from './config-schema.js';
import { NAME_LIMITS } from './naming.js';
import { personFromConfig } from './people.js';
import type { PullRequest, PullRequestComment } from './pull-request-comment.js';
import { deployCommandWords } from './pull-request-comment.js';
import { findServicesForRepo } from './repo-match.js';

/** What a comment asks for, before the pull request is read: nothing, a refusal, or a deploy by a known person. */
export type CommentDecision =
  | { kind: 'ignored'; reason: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'deploy'; service: ServiceConfig; environment?: string; slackId: string };

export const COMMENT_SYNTAX = '`/deploy` (its ephemeral environment) or `/deploy <environment>`, plus the service when the repository builds several';

/**
 * Who may deploy from a pull request: the comment is a new `/deploy` (an edit starts nothing), on a pull request,
 * by someone `people:` in slipway.yml names (their git username), for a service built from this repository.
 * Pure: what comes from the host's API is judged by `pullRequestRefusal`.
 */
export function decideComment(event: PullRequestComment, services: readonly ServiceConfig[], people: People): CommentDecision {
  const words = deployCommandWords(event.comment.body);
  if (!words) return { kind: 'ignored', reason: 'not a /deploy comment' };
  const matching = findServicesForRepo(services, event.repo);
  if (matching.length === 0) return { kind: 'ignored', reason: `no service is built from ${event.repo.fullName}` };
  if (event.action !== 'created') {
    return { kind: event.action === 'edited' ? 'refused' : 'ignored', reason: 'an edited comment starts nothing: write the /deploy as a new comment' };
  }
  if (!event.isPullRequest) return { kind: 'refused', reason: '/deploy works on pull requests only: comment on the pull request to deploy' };
  const slackId = personFromConfig(people, { name: event.comment.author, username: event.comment.author });
  if (!slackId) {
    return {
      kind: 'refused',
      reason: `slipway does not know who @${event.comment.author} is, so they may not deploy: an operator can add their git username under people: in slipway.yml, with their Slack id`,
    };
  }
  // Refused before any name lookup, and never echoed at length.
  if (words.length > 2 || words.some((w) => w.length > NAME_LIMITS.service)) {
    return { kind: 'refused', reason: `did not understand "${words.join(' ').slice(0, 80)}": use ${COMMENT_SYNTAX}` };
  }
  const named = words.find((w) => matching.some((s) => s.name === w));
  const rest = words.filter((w) => w !== named);
  const service = named ? matching.find((s) => s.name === named) : matching.length === 1 ? matching[0] : undefined;
  if (!service) return { kind: 'refused', reason: `${event.repo.fullName} builds ${matching.map((s) => s.name).join(', ')}: name one, e.g. /deploy ${matching[0]?.name}` };
  if (rest.length > 1) return { kind: 'refused', reason: `did not understand "${rest.join(' ')}": use ${COMMENT_SYNTAX}` };
  const environment = rest[0];
  if (environment !== undefined && environment !== 'ephemeral' && !service.environments.some((e) => e.name === environment)) {
    return { kind: 'refused', reason: `${service.name} has no environment "${environment.slice(0, 63)}": ${service.environments.map((e) => e.name).join(', ')}` };
  }
  return { kind: 'deploy', service, environment: environment === 'ephemeral' ? undefined : environment, slackId };
}

/** Whether the pull request's head comes from another repository than the one it is to be merged into. */
export function isFork(pull: PullRequest): boolean {
  return pull.head.repoFullName?.toLowerCase() !== pull.base.repoFullName.toLowerCase();
}

/**
 * The branch a pull request is deployed as: its head branch when it lives in the repository itself (the same
 * environment a push to it gets); for a fork, `pull/<n>/head`, so a fork's `main` is never taken for ours.
 */
export function pullRequestBranch(pull: PullRequest): string {
  return isFork(pull) ? `pull/${pull.number}/head` : pull.head.ref;
}

/**
 * Why this pull request is not deployed as asked, or undefined. A fork's head is hostile code: refused unless
 * the service allows forks (`pullRequests.forks`), and then only into its own ephemeral environment.
 */
export function pullRequestRefusal(pull: PullRequest, service: ServiceConfig, environment: string | undefined): string | undefined {
  if (!pull.open) return `pull request #${pull.number} is closed: only an open pull request is deployed`;
  if (isFork(pull)) {
    if (!service.pullRequests?.forks) {
      return `pull request #${pull.number} comes from a fork (${pull.head.repoFullName ?? 'deleted'}), and ${service.name} does not deploy forks' code: an operator can allow it with pullRequests.forks in slipway.yml (ephemeral environments only)`;
    }
    if (environment) return `pull request #${pull.number} comes from a fork: its code goes only to its own ephemeral environment, never to ${environment}. Comment /deploy alone`;
  }
  if (!environment && !service.ephemeral) {
    return `${service.name} has no ephemeral environments (no ephemeral: section in slipway.yml): name an environment, e.g. /deploy ${service.environments[0]?.name ?? 'staging'}`;
  }
  return undefined;
}
