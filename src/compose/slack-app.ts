import { commands } from '../../commands/index.js';
import { boltLogger } from '../adapters/slack/bolt-logger.js';
import { channelDirectory } from '../adapters/slack/slack-directory.js';
import type { SlackApp } from '../intake/slack-app.js';
import type { PeopleActions } from './actions.js';
import type { Closers } from './closers.js';
import type { Parts } from './parts.js';

/** The Bolt app, when slipway has a bot token and a way to hear Slack (a signing secret or an app token). */
export async function startSlackApp(parts: Parts, actions: PeopleActions, closers: Closers): Promise<SlackApp | undefined> {
  const { env, services, stores, log, metrics } = parts;
  if (!env.SLACK_BOT_TOKEN || !(env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN)) return undefined;
  // Loaded only where Slack is answered: a worker keeps the memory of what it does.
  const { createSlackApp } = await import('../intake/slack-app.js');
  const configured = [...new Set(services.flatMap((s) => [s.channel, ...s.channels]))];
  const slackApp = await createSlackApp({
    botToken: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    apiUrl: env.SLACK_API_URL,
    commands,
    once: stores.once,
    log,
    boltLogger: boltLogger(log),
    channelDirectory: (client) => channelDirectory(client, log, { configured }),
    ...actions,
    commandAnswered: (command, result) => metrics.commands.inc({ command, result }),
  });
  closers.add(() => slackApp.stop());
  return slackApp;
}
