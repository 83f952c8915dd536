import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GitHostWebhook, Logger, WebhookSecret } from '../core/ports.js';
import type { ServiceConfig } from '../core/config-schema.js';
import type { PushEvent } from '../core/push-event.js';
import { findServicesForRepo } from '../core/repo-match.js';
import { signersRefusal } from '../core/webhook-signer.js';
import type { PullRequestHook } from '../core/pull-request-comment.js';
import type { CommentAnswer } from './accept-pull-request-comment.js';
import type { PushAnswer } from './accept-push.js';
import { BodyBudget } from './body-budget.js';
import { replyJson } from './http-reply.js';
import { BODY_DEADLINE_MS, BodyRefused, refuseUnread, withBody } from './read-body.js';

/** GitHub caps payloads at 25 MB, but a push that large is not one we want; 5 MiB holds thousands of commits. */
export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

export type WebhookRouteDeps = {
  hosts: Readonly<Record<string, GitHostWebhook>>;
  /** Host-wide secrets by environment variable name (`GITHUB_WEBHOOK_SECRET`, …). */
  secrets: Readonly<Record<string, string | undefined>>;
  /** Services' own secrets (`webhookSecretEnv`); a delivery for such a service must be signed with its own. */
  serviceSecrets?: readonly (WebhookSecret & { service: string })[];
  /** What payloads are matched to, to know whose secret a delivery must carry. */
  services?: readonly ServiceConfig[];
  accept(event: PushEvent): Promise<PushAnswer>;
  /** A verified `issue_comment` (a `/deploy` on a pull request) or closed pull request; unset, such deliveries are ignored. */
  acceptComment?(event: PullRequestHook): Promise<CommentAnswer>;
  log: Logger;
  maxBytes?: number;
  /** Room for unverified bodies, shared with the other routes that read one. */
  budget?: BodyBudget;
  deadlineMs?: number;
  /** Told every answer, for metrics. */
  answered?(host: string, status: number): void;
};

/**
 * `POST /webhooks/<host>`: headers → body → verify → parse → accept. What the headers alone condemn is refused
 * before a byte of the body is read. Bad input gets a 4xx saying what is wrong, never a 500.
 */
export function webhookRoute(deps: WebhookRouteDeps) {
  const limits = { maxBytes: deps.maxBytes ?? MAX_WEBHOOK_BYTES, deadlineMs: deps.deadlineMs ?? BODY_DEADLINE_MS, budget: deps.budget ?? new BodyBudget() };
  // A Map, not the object: `/webhooks/constructor` must not find Object's constructor.
  const hosts = new Map(Object.entries(deps.hosts));
  const hostSecrets = new Map(Object.entries(deps.secrets));
  return async (req: IncomingMessage, res: ServerResponse, hostName: string): Promise<void> => {
    const host = hosts.get(hostName);
    res.once('finish', () => deps.answered?.(host ? hostName : 'unknown', res.statusCode));
    const log = deps.log.child({ webhook: host ? hostName : 'unknown' });
    if (!host) {
      refuseUnread(req, res, 404, { error: `unknown git host "${hostName.slice(0, 40)}"; use one of ${[...hosts.keys()].join(', ')}` });
      return;
    }
    const hostSecret = hostSecrets.get(host.secretName);
    const secrets: WebhookSecret[] = [...(hostSecret ? [{ value: hostSecret, name: host.secretName }] : []), ...(deps.serviceSecrets ?? [])];
    if (secrets.length === 0) {
      log.warn({ secretName: host.secretName }, 'webhook refused: no secret configured');
      refuseUnread(req, res, 503, { error: `slipway has no ${host.secretName} set, so it cannot verify ${hostName} webhooks; set it to the webhook's secret` });
      return;
    }
    const refused = host.checkHeaders(req.headers);
    if (refused) {
      log.warn({ status: refused.status, reason: refused.reason }, 'webhook rejected before its body was read');
      refuseUnread(req, res, refused.status, { error: refused.reason });
      return;
    }

    try {
      await withBody(req, limits, async (body) => {
        const verdict = await host.receive({ headers: req.headers, body }, secrets);
        if (verdict.kind === 'rejected') {
          log.warn({ status: verdict.status, reason: verdict.reason }, 'webhook rejected');
          replyJson(res, verdict.status, { error: verdict.reason });
          return;
        }
        if (verdict.kind === 'ignored') {
          log.info({ reason: verdict.reason }, 'webhook ignored');
          replyJson(res, 200, { status: 'ignored', reason: verdict.reason });
          return;
        }
        const { event } = verdict;
        const wrongSigner = signersRefusal(findServicesForRepo(deps.services ?? [], event.repo), verdict.signedWith, host.secretName);
        if (wrongSigner) {
          log.warn({ deliveryId: event.deliveryId, repo: event.repo.fullName, signedWith: verdict.signedWith.map((s) => s.name) }, 'webhook rejected: signed with another repository’s secret');
          replyJson(res, 401, { error: wrongSigner });
          return;
        }
        if (verdict.kind === 'comment') await acceptComment(verdict.event, res, log);
        else await accept(verdict.event, res, log);
      });
    } catch (error) {
      if (!(error instanceof BodyRefused)) throw error;
      log.warn({ status: error.status, reason: error.message }, 'webhook body not read');
      refuseUnread(req, res, error.status, { error: error.message }, error.headers);
    }
  };

  async function acceptComment(event: PullRequestHook, res: ServerResponse, log: Logger): Promise<void> {
    if (!deps.acceptComment) {
      replyJson(res, 200, { status: 'ignored', reason: 'this slipway does not take pull request events' });
      return;
    }
    let answer: CommentAnswer;
    try {
      answer = await deps.acceptComment(event);
    } catch (error) {
      log.error({ err: error, deliveryId: event.deliveryId }, 'pull request comment not handled');
      replyJson(res, 503, { error: 'slipway could not handle this comment (its Redis or the git host\'s API did not answer); redeliver it once slipway is ready' });
      return;
    }
    const fields = { deliveryId: event.deliveryId, repo: event.repo.fullName, pullRequest: event.number, ...('comment' in event ? { commentId: event.comment.id } : { closed: true }), ...answer.body };
    log.info(fields, answer.body.status === 'ignored' ? 'pull request event ignored' : 'pull request event answered');
    replyJson(res, answer.status, answer.body);
  }

  async function accept(event: PushEvent, res: ServerResponse, log: Logger): Promise<void> {
    let answer: PushAnswer;
    try {
      answer = await deps.accept(event);
    } catch (error) {
      log.error({ err: error, deliveryId: event.deliveryId }, 'webhook not stored');
      replyJson(res, 503, { error: 'slipway could not store this push (its Redis is unreachable); redeliver it once slipway is ready' });
      return;
    }
    const fields = { deliveryId: event.deliveryId, ref: event.ref, sha: event.after, ...answer.body };
    if (answer.status === 422) log.warn(fields, 'webhook refused: slipway will not build this push');
    else log.info(fields, 'webhook accepted');
    replyJson(res, answer.status, answer.body);
  }
}
