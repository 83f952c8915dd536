import { WebClient } from '@slack/web-api';
import type { ChatApi } from '../../core/chat-api.js';
import type { Logger } from '../../core/ports.js';
import { boltLogger } from './bolt-logger.js';

/**
 * The Web API client for posting run messages. 429s wait for Retry-After and are retried by the client; 5xx
 * and timeouts are retried a few times with backoff, then the notification job's own retries take over.
 */
export function slackClient(token: string, apiUrl: string | undefined, log: Logger): WebClient {
  return new WebClient(token, {
    logger: boltLogger(log),
    slackApiUrl: apiUrl && !apiUrl.endsWith('/') ? `${apiUrl}/` : apiUrl,
    retryConfig: { retries: 4, factor: 2, minTimeout: 250, maxTimeout: 5_000, randomize: true },
    timeout: 10_000,
  });
}

/** A Slack user id for an email, or undefined when Slack does not know it (or the lookup fails). */
export async function slackUserIdByEmail(client: ChatApi, email: string | undefined): Promise<string | undefined> {
  if (!email) return undefined;
  try {
    const answer = await client.users.lookupByEmail({ email });
    return answer.user?.id;
  } catch {
    return undefined;
  }
}
