import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import { formatIssues } from '../../core/format-issues.js';
import type { GitHost, PushEvent } from '../../core/push-event.js';

export type WebhookRequest = { headers: IncomingHttpHeaders; body: string };

/** The verdict on one delivery; the HTTP route turns it into a status code. */
export type WebhookVerdict =
  | { kind: 'push'; event: PushEvent }
  | { kind: 'ignored'; reason: string }
  | { kind: 'rejected'; status: 400 | 401; reason: string };

export interface GitHostWebhook {
  readonly host: GitHost;
  /** The environment variable that holds this host's secret, named in error messages. */
  readonly secretName: string;
  receive(request: WebhookRequest, secret: string): Promise<WebhookVerdict>;
}

/** What tells one git host's webhooks apart; `defineGitHost` runs the steps they share in one order. */
export type GitHostSpec<Payload> = {
  host: GitHost;
  secretName: string;
  signatureHeader: string;
  verify(body: string, signature: string, secret: string): boolean | Promise<boolean>;
  eventHeader: string;
  pushEvent: string;
  deliveryId(request: WebhookRequest): string | undefined;
  payload: z.ZodType<Payload>;
  normalize(payload: Payload, deliveryId: string): PushEvent;
};

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function defineGitHost<Payload>(spec: GitHostSpec<Payload>): GitHostWebhook {
  return {
    host: spec.host,
    secretName: spec.secretName,
    async receive(request, secret) {
      // The signature is checked before anything in the body is looked at.
      const signature = header(request.headers, spec.signatureHeader);
      if (!signature) return { kind: 'rejected', status: 401, reason: `missing ${spec.signatureHeader} header` };
      let verified: boolean;
      try {
        verified = await spec.verify(request.body, signature, secret);
      } catch {
        verified = false;
      }
      if (!verified) {
        return {
          kind: 'rejected',
          status: 401,
          reason: `${spec.signatureHeader} does not match: the webhook's secret differs from ${spec.secretName}`,
        };
      }
      const eventName = header(request.headers, spec.eventHeader);
      if (!eventName) return { kind: 'rejected', status: 400, reason: `missing ${spec.eventHeader} header` };
      if (eventName !== spec.pushEvent) return { kind: 'ignored', reason: `${eventName} events are not used` };
      const deliveryId = spec.deliveryId(request);
      if (!deliveryId) return { kind: 'rejected', status: 400, reason: 'missing delivery id header' };

      let json: unknown;
      try {
        json = JSON.parse(request.body);
      } catch (error) {
        return { kind: 'rejected', status: 400, reason: `body is not JSON: ${(error as Error).message}` };
      }
      const parsed = spec.payload.safeParse(json);
      if (!parsed.success) {
        const problems = formatIssues(parsed.error.issues, 'body');
        return { kind: 'rejected', status: 400, reason: `not a ${spec.host} push payload: ${problems.slice(0, 5).join('; ')}` };
      }
      return { kind: 'push', event: spec.normalize(parsed.data, deliveryId) };
    },
  };
}
