import { type AnyMiddlewareArgs, App, type Logger as BoltLogger, HTTPReceiver, type Middleware } from '@slack/bolt';
import type { RequestListener } from 'node:http';
import { SlackListeners } from './slack-listeners.js';
import { SocketModeReceiver } from './socket-mode-receiver.js';
import { APPROVE_ACTION, parseApprovalKey, REJECT_ACTION, REJECT_VIEW } from '../core/messages/approval-card.js';
import { RERUN_CHECKS_ACTION, RETRY_ACTION } from '../core/messages/failure-alert.js';
import type { ApprovalClick } from './approval-decision.js';
import { channelAllows, channelRefusal } from '../core/channels.js';
import { forceDeployCommand, OVERRIDE_FREEZE_ACTION } from '../../commands/deploy.js';
import { CONFIRM_ROLLBACK_ACTION, type RollbackRequest } from '../../commands/rollback-confirm.js';
import { escapeMrkdwn } from '../core/messages/blocks.js';
import type { ChannelDirectory, Logger, OnceStore } from '../core/ports.js';
import { resolveCommand } from '../../commands/resolve-command.js';
import { type CommandDeps, runCommand, type SlashCommand } from '../../commands/slash-command.js';

const OVERRIDE_FREEZE_VIEW = 'override_freeze_reason';

export type SlackAppOptions = {
  botToken: string;
  /** HTTP mode: the secret requests are signed with. */
  signingSecret?: string;
  /** Socket Mode: the app-level token (`xapp-…`); no Request URL is needed. */
  appToken?: string;
  /** The Web API base URL; tests point it at the fake Slack. */
  apiUrl?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argument type
  commands: readonly SlashCommand<any>[];
  commandDeps: CommandDeps;
  once: OnceStore;
  log: Logger;
  /** slipway's log, as Bolt and its receivers write to it. */
  boltLogger: BoltLogger;
  /** Who channels are by id, asked through the app's own Web API client. */
  channelDirectory(client: App['client']): ChannelDirectory;
  /** Starts a new run of a failed one (the Retry button), once per failed run. */
  retry(runId: string, by: { name: string; username: string }, options?: { fromFailedStage?: boolean }): Promise<{ runId: string; first: boolean }>;
  /** An Approve or Reject: answers what to tell the clicker, if anything. */
  decide(click: ApprovalClick): Promise<string | undefined>;
  /** Told how each command went, for metrics. */
  commandAnswered?(command: string, result: 'ok' | 'usage' | 'error'): void;
  /** The confirmed `/rollback`; answers what to tell the clicker. */
  rollback(request: RollbackRequest, user: { id: string; name: string }, buttonId: string): Promise<string>;
};

export type SlackApp = {
  app: App;
  /** HTTP mode: what answers `POST /slack/events`. */
  listener?: RequestListener;
  stop(): Promise<void>;
};

/**
 * The Bolt app: over HTTP (`POST /slack/events`, signatures checked by Bolt) or over Socket Mode when an app
 * token is given. Either way Slack's retries are dropped and the commands and buttons are registered.
 */
export async function createSlackApp(options: SlackAppOptions): Promise<SlackApp> {
  const logger = options.boltLogger;
  const apiUrl = options.apiUrl && !options.apiUrl.endsWith('/') ? `${options.apiUrl}/` : options.apiUrl;
  const socket = options.appToken ? new SocketModeReceiver({ appToken: options.appToken, apiUrl, logger }) : undefined;
  const http = socket ? undefined : new HTTPReceiver({ signingSecret: options.signingSecret ?? '', logger });
  const receiver = socket ?? http;
  const app = new App({
    token: options.botToken,
    receiver,
    logger,
    // slipway keeps no conversation state; Bolt's default store is a middleware on every request.
    convoStore: false,
    deferInitialization: true,
    clientOptions: {
      slackApiUrl: apiUrl,
      retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 5_000 },
    },
  });
  // Checks the token with auth.test now, so a wrong token stops start-up instead of failing the first reply.
  await app.init();
  app.use(dropRepeats(options.once, options.log));
  // Channels are told apart by id: a `#name` in slipway.yml matches the channel Slack's API gives that name.
  const channels = options.channelDirectory(app.client);
  const withChannels = { ...options, channels };
  registerCommands(app, options.commands, options.commandDeps, options.log, options.commandAnswered, channels);
  const listeners = new SlackListeners();
  registerRetryButton(listeners, withChannels);
  registerApprovalButtons(listeners, withChannels);
  registerRollbackButton(listeners, withChannels);
  registerOverrideFreeze(listeners, withChannels);
  listeners.mount(app);
  app.error(async (error) => {
    options.log.error({ err: error }, 'Slack listener failed');
  });
  if (socket) {
    await socket.start();
    options.log.info('connected to Slack over Socket Mode');
    return { app, stop: () => socket.stop() };
  }
  return { app, listener: http?.requestListener, stop: async () => {} };
}

export function registerCommands(
  app: App,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argument type
  commands: readonly SlashCommand<any>[],
  deps: CommandDeps,
  log: Logger,
  answered: (command: string, result: 'ok' | 'usage' | 'error') => void = () => {},
  channels?: ChannelDirectory,
): void {
  // One listener for every command: Bolt runs each listener's matching middleware on every request, so
  // a dozen of them cost more than the lookup here.
  app.command(/^\//, async ({ command: body, ack }) => {
    const resolved = resolveCommand(commands, body.command, body.text ?? '');
    if (!resolved) {
      await ack({ response_type: 'ephemeral', text: `slipway does not know ${body.command}; /slipway help lists what it does.` });
      return;
    }
    const { command } = resolved;
    try {
      const typedIn = { id: body.channel_id, name: body.channel_name };
      const channel = channels ? await channels.verify(typedIn) : typedIn;
      const invocation = { text: resolved.text, userId: body.user_id, userName: body.user_name, channel, triggerId: body.trigger_id };
      const reply = await runCommand(command, deps, invocation);
      await ack({ response_type: reply.visibility, text: reply.text, blocks: reply.blocks });
      answered(command.name, reply.usage ? 'usage' : 'ok');
      log.info({ command: command.name, user: body.user_id }, 'command answered');
    } catch (error) {
      answered(command.name, 'error');
      log.error({ err: error, command: command.name, user: body.user_id }, 'command failed');
      await ack({ response_type: 'ephemeral', text: `${command.name} failed on slipway's side; the details are in its log. Try again in a minute.` });
    }
  });
}

/**
 * Slack redelivers when it thinks we were slow: the same event_id (events) or trigger_id (commands, clicks)
 * arrives again. The repeat is acknowledged and dropped so nothing is done twice.
 */
export function dropRepeats(once: OnceStore, log: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as { event_id?: string; trigger_id?: string };
    const id = body.event_id ?? body.trigger_id;
    if (id) {
      let earlier: string | undefined;
      try {
        earlier = await once.claim(`slack:${id}`, '1', 3600);
      } catch (error) {
        // Without Redis a repeat cannot be told apart; answering twice beats not answering.
        log.warn({ err: error }, 'cannot check for a Slack repeat');
      }
      if (earlier !== undefined) {
        log.info({ requestId: id, retryNum: args.context.retryNum }, 'Slack repeat dropped');
        if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
        return;
      }
    }
    await args.next();
  };
}

/** The Retry and Re-run checks buttons of a failure alert. Once each per failed run, however many people click. */
function registerRetryButton(app: SlackListeners, options: WithChannels): void {
  for (const [actionId, fromFailedStage] of [[RETRY_ACTION, false], [RERUN_CHECKS_ACTION, true]] as const) registerRetry(app, options, actionId, fromFailedStage);
}

function registerRetry(app: SlackListeners, options: WithChannels, actionId: string, fromFailedStage: boolean): void {
  app.action(actionId, async ({ ack, body, action, client }) => {
    await ack();
    await afterPendingAcks();
    const runId = 'value' in action && typeof action.value === 'string' ? action.value : '';
    const user = body.user;
    const channel = body.channel?.id;
    const tell = (text: string) =>
      channel ? client.chat.postEphemeral({ channel, user: user.id, text }).then(() => undefined) : Promise.resolve();
    const refused = await outsideChannel(options, { runId }, body.channel);
    if (refused) return tell(refused);
    try {
      const answer = await options.retry(runId, { name: user.name ?? user.id, username: user.id }, { fromFailedStage });
      options.log.info({ runId, newRunId: answer.runId, user: user.id, first: answer.first, fromFailedStage }, 'retry clicked');
      const what = fromFailedStage ? 'Re-running the checks of' : 'Retrying';
      await tell(answer.first ? `${what} ${runId} as run ${answer.runId}.` : `Run ${runId} was already ${fromFailedStage ? 're-run' : 'retried'} as ${answer.runId}.`);
    } catch (error) {
      options.log.error({ err: error, runId }, 'retry failed');
      // The button's value is whatever the click carried: shown escaped, like the error that names it.
      await tell(escapeMrkdwn(`Could not retry ${runId}: ${(error as Error).message}`));
    }
  });
}

function registerApprovalButtons(app: SlackListeners, options: WithChannels): void {
  app.action(APPROVE_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    await afterPendingAcks();
    const key = parseApprovalKey('value' in action && typeof action.value === 'string' ? action.value : '');
    const channel = body.channel?.id;
    if (!key) return;
    const refused = await outsideChannel(options, key, body.channel);
    if (refused) {
      if (channel) await client.chat.postEphemeral({ channel, user: body.user.id, text: refused });
      return;
    }
    try {
      const answer = await options.decide({ ...key, userId: body.user.id, decision: 'approve' });
      options.log.info({ ...key, user: body.user.id, answer }, 'approve clicked');
      if (answer && channel) await client.chat.postEphemeral({ channel, user: body.user.id, text: answer });
    } catch (error) {
      options.log.error({ err: error, ...key }, 'approval failed');
      if (channel) await client.chat.postEphemeral({ channel, user: body.user.id, text: 'The approval failed on slipway\'s side; the details are in its log.' });
    }
  });

  // Reject asks for a reason in a modal; a refusal (not an approver, already decided) shows in the modal itself.
  app.action(REJECT_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    await afterPendingAcks();
    const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
    const key = parseApprovalKey(value);
    if (!key || !('trigger_id' in body)) return;
    const refused = await outsideChannel(options, key, body.channel);
    if (refused) {
      if (body.channel?.id) await client.chat.postEphemeral({ channel: body.channel.id, user: body.user.id, text: refused });
      return;
    }
    await client.views.open({
      trigger_id: body.trigger_id,
      view: reasonModal({ callbackId: REJECT_VIEW, metadata: value, title: 'Reject promotion', submit: 'Reject', label: 'Why?', placeholder: 'Shown on the card', optional: true }),
    });
  });

  app.view(REJECT_VIEW, async ({ ack, body, view }) => {
    const key = parseApprovalKey(view.private_metadata);
    if (!key) {
      await ack();
      return;
    }
    const reason = view.state.values.reason?.reason?.value?.trim() || undefined;
    const answer = await options.decide({ ...key, userId: body.user.id, decision: 'reject', reason });
    options.log.info({ ...key, user: body.user.id, answer }, 'reject submitted');
    await ack(answer ? { response_action: 'errors', errors: { reason: answer } } : undefined);
  });
}

function registerRollbackButton(app: SlackListeners, options: WithChannels): void {
  app.action(CONFIRM_ROLLBACK_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    await afterPendingAcks();
    let request: RollbackRequest;
    try {
      request = JSON.parse('value' in action && typeof action.value === 'string' ? action.value : '') as RollbackRequest;
    } catch {
      return;
    }
    // The button lives on an ephemeral message: it is identified by that message and the action's time.
    const container = (body as { container?: { message_ts?: string } }).container;
    const buttonId = `${container?.message_ts ?? ''}:${request.runId}:${request.environment}`;
    const refused = await outsideChannel(options, { service: request.service }, body.channel);
    if (refused) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: refused });
      return;
    }
    const answer = await options
      .rollback(request, { id: body.user.id, name: body.user.name ?? body.user.id }, buttonId)
      .catch((error: unknown) => {
        options.log.error({ err: error, ...request }, 'rollback failed');
        return 'The rollback failed on slipway\'s side; the details are in its log.';
      });
    options.log.info({ ...request, user: body.user.id, answer }, 'rollback confirmed');
    await respond({ response_type: 'ephemeral', replace_original: true, text: answer });
  });
}

/** A button pressed outside the channels its service takes buttons in: answers the refusal. */
async function outsideChannel(options: WithChannels, about: { runId?: string; service?: string }, channel: { id: string; name?: string } | undefined): Promise<string | undefined> {
  const deps = options.commandDeps;
  const name = about.service ?? (about.runId ? (await deps.runs.get(about.runId))?.service : undefined);
  const service = deps.services.find((s) => s.name === name);
  if (!service) return undefined;
  // A click always comes from a channel; one without is not Slack's and is refused like a foreign channel.
  if (!channel) return channelRefusal(service);
  return channelAllows(service, await options.channels.verify(channel)) ? undefined : channelRefusal(service);
}

type WithChannels = SlackAppOptions & { channels: ChannelDirectory };

/**
 * A click's follow-up (Redis reads, a message through Slack's Web API) waits for the I/O already in hand:
 * other requests of the same burst are acknowledged first, and Slack's 3 s clock is on the ack, not on this.
 */
const afterPendingAcks = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * "Override freeze" on a refused deploy: a modal asks for the reason, then it is `/deploy force` with that reason
 * — the same checks (an approver) and the same announcement in the channel.
 */
function registerOverrideFreeze(app: SlackListeners, options: WithChannels): void {
  app.action(OVERRIDE_FREEZE_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    await afterPendingAcks();
    const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
    if (!('trigger_id' in body) || !body.channel?.id) return;
    await client.views.open({
      trigger_id: body.trigger_id,
      view: reasonModal({
        callbackId: OVERRIDE_FREEZE_VIEW,
        metadata: JSON.stringify({ ...(JSON.parse(value) as object), channel: body.channel }),
        title: 'Override freeze',
        submit: 'Break glass',
        label: 'Why must this go out now?',
        placeholder: 'Goes to the audit log and the channel',
      }),
    });
  });

  app.view(OVERRIDE_FREEZE_VIEW, async ({ ack, body, view, client }) => {
    const meta = JSON.parse(view.private_metadata) as { service: string; branch: string; environment: string; channel: { id: string; name?: string } };
    const reason = view.state.values.reason?.reason?.value?.trim() ?? '';
    const text = `${meta.branch} to ${meta.environment} ${meta.service} reason: ${reason}`;
    const channel = await options.channels.verify(meta.channel);
    const reply = await runCommand(forceDeployCommand, options.commandDeps, { text, userId: body.user.id, userName: body.user.name, channel });
    if (reply.visibility !== 'in_channel') {
      await ack({ response_action: 'errors', errors: { reason: reply.text.slice(0, 300) } });
      return;
    }
    await ack();
    await client.chat.postMessage({ channel: meta.channel.id, text: reply.text, blocks: reply.blocks });
  });
}

/** A modal asking one thing, a reason, into the input `reason.reason`; what it is about rides in its metadata. */
function reasonModal(o: { callbackId: string; metadata: string; title: string; submit: string; label: string; placeholder: string; optional?: boolean }) {
  return {
    type: 'modal' as const,
    callback_id: o.callbackId,
    private_metadata: o.metadata,
    title: { type: 'plain_text' as const, text: o.title },
    submit: { type: 'plain_text' as const, text: o.submit },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input' as const,
        block_id: 'reason',
        optional: o.optional ?? false,
        label: { type: 'plain_text' as const, text: o.label },
        element: { type: 'plain_text_input' as const, action_id: 'reason', placeholder: { type: 'plain_text' as const, text: o.placeholder } },
      },
    ],
  };
}
