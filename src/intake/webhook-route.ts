import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GitHostWebhook } from '../adapters/git/git-host-webhook.js';
import type { PushEvent } from '../core/push-event.js';
import type { Logger } from '../log.js';
import type { PushAnswer } from './accept-push.js';
import { replyJson } from './http-reply.js';
import { BodyTooLarge, readBody } from './read-body.js';

/** GitHub caps payloads at 25 MB, but a push that large is not one we want; 5 MiB holds thousands of commits. */
export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

export type WebhookRouteDeps = {
  hosts: Readonly<Record<string, GitHostWebhook>>;
  /** Secrets by environment variable name (`GITHUB_WEBHOOK_SECRET`, …). */
  secrets: Readonly<Record<string, string | undefined>>;
  accept(event: PushEvent): Promise<PushAnswer>;
  log: Logger;
  maxBytes?: number;
  /** Told every answer, for metrics. */
  answered?(host: string, status: number): void;
};

/** `POST /webhooks/<host>`: verify → parse → accept. Bad input gets a 4xx saying what is wrong, never a 500. */
export function webhookRoute(deps: WebhookRouteDeps) {
  const maxBytes = deps.maxBytes ?? MAX_WEBHOOK_BYTES;
  return async (req: IncomingMessage, res: ServerResponse, hostName: string): Promise<void> => {
    res.once('finish', () => deps.answered?.(deps.hosts[hostName] ? hostName : 'unknown', res.statusCode));
    const host = deps.hosts[hostName];
    const log = deps.log.child({ webhook: hostName });
    if (!host) {
      replyJson(res, 404, { error: `unknown git host "${hostName}"; use one of ${Object.keys(deps.hosts).join(', ')}` });
      return;
    }
    const secret = deps.secrets[host.secretName];
    if (!secret) {
      log.warn({ secretName: host.secretName }, 'webhook refused: no secret configured');
      replyJson(res, 503, { error: `slipway has no ${host.secretName} set, so it cannot verify ${hostName} webhooks; set it to the webhook's secret` });
      return;
    }

    let body: string;
    try {
      body = await readBody(req, maxBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        log.warn({ limit: maxBytes }, 'webhook refused: body too large');
        replyJson(res, 413, { error: error.message }, { connection: 'close' });
        res.once('finish', () => req.destroy());
        return;
      }
      throw error;
    }

    const verdict = await host.receive({ headers: req.headers, body }, secret);
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
    let answer: PushAnswer;
    try {
      answer = await deps.accept(event);
    } catch (error) {
      log.error({ err: error, deliveryId: event.deliveryId }, 'webhook not stored');
      replyJson(res, 503, { error: 'slipway could not store this push (its Redis is unreachable); redeliver it once slipway is ready' });
      return;
    }
    log.info({ deliveryId: event.deliveryId, ref: event.ref, sha: event.after, ...answer.body }, 'webhook accepted');
    replyJson(res, answer.status, answer.body);
  };
}
