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
    /** `/rollback TEXT` and a click on the confirm button its answer carries, as an approver does it; the rollback's run id. */
    async rollBack(text: string, userId: string, channel?: string): Promise<string> {
      const asked = await this.command('/rollback', text, userId, channel);
      const confirm = (asked.json?.blocks as { elements?: { action_id: string; value: string }[] }[] | undefined)?.[1]?.elements?.[0];
      if (!confirm) throw new Error(`/rollback ${text} offered no confirm button: ${JSON.stringify(asked.json)}`);
      const before = slack().callsOf('response_url').length;
      await this.click(confirm.action_id, confirm.value, userId, channel);
      const told = await until(async () => slack().callsOf('response_url').slice(before).map((c) => String(c.args.text)).find((t) => t.includes(' as run ')), 'the answer to the rollback');
      const runId = / as run (\S+?)\.(?:\s|$)/.exec(told)?.[1];
      if (!runId) throw new Error(`the rollback answer names no run: ${told}`);
      return runId;
    },
    /** Does `act` and waits for the private answer Slack is asked to show this user after it. */
    async answerTo(userId: string, act: () => Promise<unknown>): Promise<string> {
      const answers = () => slack().callsOf('chat.postEphemeral').filter((c) => c.args.user === userId);
      const before = answers().length;
      await act();
      return until(async () => answers()[before]?.args.text as string | undefined, `an answer to ${userId}`);
    },
  };
}
