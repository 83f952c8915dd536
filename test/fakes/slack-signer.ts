import { createHmac } from 'node:crypto';

/** Headers exactly as Slack signs a request: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
export function slackHeaders(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature,
  };
}

let triggerCounter = 0;

/** A slash command as Slack posts it: flat form fields. */
export function slashCommandBody(command: string, text: string, overrides: Record<string, string> = {}): string {
  triggerCounter += 1;
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0001',
    team_domain: 'acme',
    channel_id: 'C0DEPLOYS',
    channel_name: 'deploys',
    user_id: 'U0ANN',
    user_name: 'ann',
    command,
    text,
    api_app_id: 'A0SLIPWAY',
    is_enterprise_install: 'false',
    response_url: 'http://127.0.0.1:9/commands/T0001/1/x',
    trigger_id: `${Date.now()}.${triggerCounter}.abcdef`,
    ...overrides,
  }).toString();
}

/** A button click as Slack posts it: one `payload` form field holding the JSON. */
export function buttonClickBody(
  actionId: string,
  value: string,
  { userId = 'U0ANN', channelId = 'C0SAMPLE', channelName = 'sample', responseUrl = 'http://127.0.0.1:9/actions/T0001/1/x', messageTs = '1700000000.000100' } = {},
): string {
  triggerCounter += 1;
  const payload = {
    type: 'block_actions',
    user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0SLIPWAY',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: false },
    trigger_id: `${Date.now()}.${triggerCounter}.fedcba`,
    team: { id: 'T0001', domain: 'acme' },
    channel: { id: channelId, name: channelName },
    response_url: responseUrl,
    actions: [{ action_id: actionId, block_id: `b-${value}`, value, type: 'button', text: { type: 'plain_text', text: 'Retry' }, action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A modal submitted, as Slack posts it: `view_submission` with the state of its inputs. */
export function viewSubmissionBody(callbackId: string, privateMetadata: string, values: Record<string, Record<string, { type: string; value: string }>>, { userId = 'U0ANN' } = {}): string {
  triggerCounter += 1;
  const payload = {
    type: 'view_submission',
    team: { id: 'T0001', domain: 'acme' },
    user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0SLIPWAY',
    token: 'deprecated-verification-token',
    trigger_id: `${Date.now()}.${triggerCounter}.abc`,
    view: { id: 'V0001', type: 'modal', callback_id: callbackId, private_metadata: privateMetadata, state: { values }, hash: 'h' },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
