import type { IncomingHttpHeaders } from 'node:http';
import type { GitHost } from '../git-hosts.js';
import type { PullRequest, PullRequestHook } from '../pull-request-comment.js';
import type { PushEvent } from '../push-event.js';

/** The body is the bytes as received: signatures are over them, not over their decoding. */
export type WebhookRequest = { headers: IncomingHttpHeaders; body: Buffer };

/** A secret a delivery may be signed with: the host's (no `service`), or one service's own. */
export type WebhookSecret = {
  value: string;
  /** The environment variable that holds it, named in error messages. */
  name: string;
  service?: string;
};

export type WebhookRejection = { kind: 'rejected'; status: 400 | 401; reason: string };

/** The verdict on one delivery; the HTTP route turns it into a status code. */
export type WebhookVerdict =
  | { kind: 'push'; event: PushEvent; /** every secret the signature verified with */ signedWith: WebhookSecret[] }
  | { kind: 'comment'; event: PullRequestHook; signedWith: WebhookSecret[] }
  | { kind: 'ignored'; reason: string }
  | WebhookRejection;

export interface GitHostWebhook {
  readonly host: GitHost;
  /** The environment variable that holds this host's secret, named in error messages. */
  readonly secretName: string;
  /** A refusal from the headers alone (no signature, or not shaped like one), so the body is never read. */
  checkHeaders(headers: IncomingHttpHeaders): WebhookRejection | undefined;
  receive(request: WebhookRequest, secrets: readonly WebhookSecret[]): Promise<WebhookVerdict>;
}

/** The pull requests of a git host's repositories, through its REST API with slipway's token for the host. */
export interface PullRequests {
  /** Whether slipway has a token (and an API URL) for the host. */
  reaches(host: GitHost): boolean;
  read(host: GitHost, fullName: string, number: number): Promise<PullRequest>;
  /** Adds a comment to the pull request (an issue comment); answers its id. */
  comment(host: GitHost, fullName: string, number: number, body: string): Promise<number>;
  editComment(host: GitHost, fullName: string, id: number, body: string): Promise<void>;
}
