import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import { formatIssues } from '../../core/format-issues.js';
import { GIT_HOST_FACTS, type GitHost } from '../../core/git-hosts.js';
import type { PullRequestHook } from '../../core/pull-request-comment.js';
import type { PushEvent } from '../../core/push-event.js';
import type { GitHostWebhook, WebhookRejection, WebhookRequest } from '../../core/ports.js';

/** What tells one git host's webhooks apart; `defineGitHost` runs the steps they share in one order. */
export type GitHostSpec<Payload, Deletion = never, Comment = never> = {
  host: GitHost;
  /** What a well-formed signature header looks like; anything else is refused before the body is read. */
  signatureShape: RegExp;
  /** The shape in words, for the refusal. */
  signatureLooksLike: string;
  verify(body: Buffer, signature: string, secret: string): boolean;
  eventHeader: string;
  pushEvent: string;
  deliveryId(request: WebhookRequest): string | undefined;
  payload: z.ZodType<Payload>;
  normalize(payload: Payload, deliveryId: string): PushEvent;
  /**
   * The event a host sends when a branch is deleted, where that is not a push with an all-zero `after`
   * (Gogs and Gitea send `delete`). Verified and deduplicated like a push.
   */
  deleteEvent?: GitHostEvent<Deletion>;
  /** A comment on an issue or pull request (`issue_comment`): verified as a push is, for `/deploy` comments. */
  commentEvent?: CommentEvent<Comment>;
  /** A pull request opened, closed, …: only its closing is used (the environment a comment made goes). */
  pullRequestEvent?: CommentEvent<unknown>;
};

export type CommentEvent<Payload> = {
  name: string;
  payload: z.ZodType<Payload>;
  normalize(payload: Payload, deliveryId: string): PullRequestHook | { ignored: string };
};

/** One more event a host sends beside pushes: its name, its payload, and the push it amounts to. */
export type GitHostEvent<Payload> = {
  name: string;
  payload: z.ZodType<Payload>;
  /** The push event it amounts to, or why this delivery is not used (a deleted tag, say). */
  normalize(payload: Payload, deliveryId: string): PushEvent | { ignored: string };
};

type EventHandler = {
  payload: z.ZodType<unknown>;
  normalize(payload: unknown, deliveryId: string): PushEvent | { ignored: string } | { comment: PullRequestHook };
};

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function defineGitHost<Payload, Deletion = never, Comment = never>(spec: GitHostSpec<Payload, Deletion, Comment>): GitHostWebhook {
  const handlers = new Map<string, EventHandler>([
    [spec.pushEvent, { payload: spec.payload, normalize: (payload, id) => spec.normalize(payload as Payload, id) }],
  ]);
  const deletion = spec.deleteEvent;
  if (deletion) handlers.set(deletion.name, { payload: deletion.payload, normalize: (payload, id) => deletion.normalize(payload as Deletion, id) });
  for (const hook of [spec.commentEvent as CommentEvent<unknown> | undefined, spec.pullRequestEvent]) {
    if (!hook) continue;
    handlers.set(hook.name, {
      payload: hook.payload,
      normalize(payload, id) {
        const event = hook.normalize(payload, id);
        return 'ignored' in event ? event : { comment: event };
      },
    });
  }
  const { secretEnv: secretName, signatureHeader } = GIT_HOST_FACTS[spec.host];
  return {
    host: spec.host,
    secretName,
    checkHeaders,
    async receive(request, secrets) {
      // The signature is checked before anything in the body is looked at.
      const refused = checkHeaders(request.headers);
      if (refused) return refused;
      const signature = header(request.headers, signatureHeader) ?? '';
      const signedWith = secrets.filter((secret) => spec.verify(request.body, signature, secret.value));
      if (signedWith.length === 0) {
        const names = [...new Set(secrets.map((s) => s.name))].join(' or ') || secretName;
        return {
          kind: 'rejected',
          status: 401,
          reason: `${signatureHeader} does not match: the webhook's secret differs from ${names}`,
        };
      }
      const eventName = header(request.headers, spec.eventHeader);
      if (!eventName) return { kind: 'rejected', status: 400, reason: `missing ${spec.eventHeader} header` };
      const handler = handlers.get(eventName);
      if (!handler) return { kind: 'ignored', reason: `${eventName} events are not used` };
      const deliveryId = spec.deliveryId(request);
      if (!deliveryId) return { kind: 'rejected', status: 400, reason: 'missing delivery id header' };

      const json = bodyJson(request);
      if ('kind' in json) return json;
      const parsed = handler.payload.safeParse(json.value);
      if (!parsed.success) {
        const problems = formatIssues(parsed.error.issues, 'body');
        return { kind: 'rejected', status: 400, reason: `not a ${spec.host} ${eventName} payload: ${problems.slice(0, 5).join('; ')}` };
      }
      const event = handler.normalize(parsed.data, deliveryId);
      if ('ignored' in event) return { kind: 'ignored', reason: event.ignored };
      if ('comment' in event) return { kind: 'comment', event: event.comment, signedWith };
      return { kind: 'push', event, signedWith };
    },
  };

  function checkHeaders(headers: IncomingHttpHeaders): WebhookRejection | undefined {
    const signature = header(headers, signatureHeader);
    if (!signature) return { kind: 'rejected', status: 401, reason: `missing ${signatureHeader} header` };
    if (!spec.signatureShape.test(signature)) {
      return { kind: 'rejected', status: 401, reason: `${signatureHeader} is malformed: ${spec.host} sends ${spec.signatureLooksLike}` };
    }
    return undefined;
  }
}

/**
 * The JSON a delivery carries. A host may be set to send `application/x-www-form-urlencoded` instead (GitHub,
 * Gogs and Gitea offer it): the JSON is then the `payload` field. Decoded only after the signature, which is
 * over the raw form body, has been checked.
 */
function bodyJson(request: WebhookRequest): { value: unknown } | WebhookRejection {
  const contentType = header(request.headers, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  let text = request.body.toString('utf8');
  if (contentType === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) {
      return { kind: 'rejected', status: 400, reason: 'form-encoded body has no payload field: set the webhook to send JSON, or its payload as the "payload" field' };
    }
    text = payload;
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { kind: 'rejected', status: 400, reason: `body is not JSON: ${(error as Error).message}` };
  }
}
