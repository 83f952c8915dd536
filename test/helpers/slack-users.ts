import type { FakeSlack } from '../fakes/fake-slack.js';
import { buttonClickBody, slackHeaders, slashCommandBody } from '../fakes/slack-signer.js';
import { until } from './run-watch.js';

export type SlackAnswer = { status: number; json?: Record<string, any> };

/**
 * People in Slack talking to slipway: signed commands and clicks posted to `/slack/events`, and the private
 * answers the fake Slack is asked to show them. `channel` is where they type or click (its id is `C0` and the
 * name upper-cased); left out, the signer's defaults.
 */
export function slackUsers(slipwayUrl: () => string, slack: () => FakeSlack, signingSecret: string) {
  async function post(body: string): Promise<SlackAnswer> {
    const res = await fetch(`${slipwayUrl()}/slack/events`, { method: 'POST', body, headers: slackHeaders(body, signingSecret) });
    const text = await res.text();
    return { status: res.status, json: text.startsWith('{') ? (JSON.parse(text) as SlackAnswer['json']) : undefined };
  }
  return {
    post,
    command: (name: string, text: string, userId: string, channel?: string) =>
      post(slashCommandBody(name, text, { user_id: userId, user_name: userId.toLowerCase(), ...(channel ? { channel_name: channel, channel_id: `C0${channel.toUpperCase()}` } : {}) })),
    click: (action: string, value: string, userId: string, channel?: string) =>
      post(buttonClickBody(action, value, { userId, responseUrl: slack().responseUrl, messageTs: `${Date.now()}.${userId}`, ...(channel ? { channelId: `C0${channel.toUpperCase()}`, channelName: channel } : {}) })),
    /** Does `act` and waits for the private answer Slack is asked to show this user after it. */
    async answerTo(userId: string, act: () => Promise<unknown>): Promise<string> {
      const answers = () => slack().callsOf('chat.postEphemeral').filter((c) => c.args.user === userId);
      const before = answers().length;
      await act();
      return until(async () => answers()[before]?.args.text as string | undefined, `an answer to ${userId}`);
    },
  };
}
