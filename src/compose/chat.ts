import { WebClientEvent } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { ConsoleChat } from '../adapters/console/console-chat.js';
import { BullRunEvents } from '../adapters/redis/bull-queues.js';
import { slackClient } from '../adapters/slack/slack-client.js';
import { slackDirectory } from '../adapters/slack/slack-directory.js';
import type { Env } from '../core/env-schema.js';
import type { ChatApi, Logger, RunEvents, SlackDirectory } from '../core/ports.js';
import { traced } from '../core/tracing.js';
import type { Metrics } from '../metrics.js';
import type { Closers } from './closers.js';
import type { SlipwayMode } from './modes.js';

export type Chat = {
  /** Where messages go: Slack, or in local mode the console; absent when neither is there. */
  slack?: ChatApi;
  /** Slack's own client, when there is a bot token. */
  slackWeb?: ReturnType<typeof slackClient>;
  events: RunEvents;
  /** The notifications queue, when there is one (for the queue depth metric). */
  notifications?: BullRunEvents;
  directory: SlackDirectory;
};

const NOBODY: SlackDirectory = { userIdByEmail: async () => undefined, groupMembers: async () => new Set() };

/** Slack (or the console of local mode), the queue of its updates and who people are in it. */
export function openChat(
  { env, mode, consoleChat, queueRedis, metrics, log }: { env: Env; mode: SlipwayMode; consoleChat?: ConsoleChat; queueRedis: Redis; metrics: Metrics; log: Logger },
  closers: Closers,
): Chat {
  const slackWeb = env.SLACK_BOT_TOKEN ? slackClient(env.SLACK_BOT_TOKEN, env.SLACK_API_URL, log) : undefined;
  slackWeb?.on(WebClientEvent.RATE_LIMITED, () => metrics.slackErrors.inc({ kind: 'rate_limited' }));
  // Slack's Web API calls are spans of whatever made them (a stage, a notification, a command).
  const slack: ChatApi | undefined = slackWeb ? traced<ChatApi>(slackWeb, 'slack') : mode === 'all' ? consoleChat : undefined;
  if (!slack) {
    log.info('SLACK_BOT_TOKEN is not set: Slack is off, /slack/events answers 503 and runs post no messages');
    return { events: { changed: async () => {} }, directory: NOBODY };
  }
  const notifications = new BullRunEvents(queueRedis);
  closers.add(() => notifications.close());
  return { slack, slackWeb, events: notifications, notifications, directory: slackDirectory(slack) };
}
