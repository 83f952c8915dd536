import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { slackHeaderProblem, slackSignatureMatches } from '../core/slack-signature.js';
import { BodyBudget } from './body-budget.js';
import { replyJson } from './http-reply.js';
import { BODY_DEADLINE_MS, BodyRefused, refuseUnread, withBody } from './read-body.js';
import type { Logger } from '../core/ports.js';

/** Slack's commands and clicks are a few kB; a modal's state stays well under this. */
export const MAX_SLACK_BYTES = 1024 * 1024;

export type SlackEventsRouteDeps = {
  /** Bolt's HTTP receiver; it finds the body we read on `req.rawBody` and does not read the stream again. */
  bolt: RequestListener;
  signingSecret: string;
  log: Logger;
  budget?: BodyBudget;
  maxBytes?: number;
  deadlineMs?: number;
  /** Slack's window is against real time; tests that fix slipway's clock keep signing with the real one. */
  nowMs?: () => number;
};

/**
 * `POST /slack/events`, in front of Bolt: the headers are checked before the body is read, the body is read
 * under the shared caps (chunked ones too; Bolt's own reader would take up to its limit from anyone), and its
 * signature is checked over the bytes. Bolt then gets the verified bytes as `req.rawBody`, which its
 * `bufferIncomingMessage` uses as it is, and checks the signature once more on its side.
 */
export function slackEventsRoute(deps: SlackEventsRouteDeps): RequestListener {
  const limits = { maxBytes: deps.maxBytes ?? MAX_SLACK_BYTES, deadlineMs: deps.deadlineMs ?? BODY_DEADLINE_MS, budget: deps.budget ?? new BodyBudget() };
  const nowMs = deps.nowMs ?? Date.now;
  const log = deps.log.child({ route: '/slack/events' });
  return async (req: IncomingMessage, res: ServerResponse) => {
    const signature = single(req.headers['x-slack-signature']);
    const timestamp = single(req.headers['x-slack-request-timestamp']);
    const problem = slackHeaderProblem(signature, timestamp, nowMs());
    if (problem) {
      log.warn({ reason: problem }, 'Slack request refused before its body was read');
      refuseUnread(req, res, 401, { error: problem });
      return;
    }
    try {
      const verified = await withBody(req, limits, async (body) => {
        if (!slackSignatureMatches(body, timestamp ?? '', signature ?? '', deps.signingSecret)) return undefined;
        return body;
      });
      if (!verified) {
        log.warn('Slack request refused: x-slack-signature does not match');
        replyJson(res, 401, { error: 'x-slack-signature does not match: the request is not signed with SLACK_SIGNING_SECRET' });
        return;
      }
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = verified;
    } catch (error) {
      if (!(error instanceof BodyRefused)) throw error;
      log.warn({ status: error.status, reason: error.message }, 'Slack request body not read');
      refuseUnread(req, res, error.status, { error: error.message }, error.headers);
      return;
    }
    await deps.bolt(req, res);
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}
