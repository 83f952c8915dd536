import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../fakes/fake-slack.js';
import { startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';

const TOKEN = 'xoxb-socket-mode-tests';
const APP_TOKEN = 'xapp-1-socket-mode-tests';

let slack: FakeSlack;
let slipway: TestSlipway;

beforeAll(async () => {
  slack = new FakeSlack({ token: TOKEN, appToken: APP_TOKEN });
  await slack.start();
  // No signing secret: Socket Mode needs none, and no Request URL.
  slipway = await startTestSlipway({ env: { SLACK_BOT_TOKEN: TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: slack.url } });
  await slack.socketConnected();
});
afterAll(async () => {
  await slipway?.stop();
  await slack?.stop();
});
afterEach(() => {
  expect(slack.unexpected).toEqual([]);
});

const command = (text: string, triggerId = `${Date.now()}.${Math.random()}`) => ({
  token: 'x', team_id: 'T0001', channel_id: 'C0DEPLOYS', channel_name: 'deploys', user_id: 'U0ANN', user_name: 'ann', command: '/slipway', text: `status ${text}`.trim(), trigger_id: triggerId,
  response_url: 'http://127.0.0.1:9/commands/1', api_app_id: 'A0SLIPWAY',
});

describe('Socket Mode', () => {
  it('connects with the app token and answers a slash command in the ack', async () => {
    expect(slack.callsOf('apps.connections.open')).toHaveLength(1);
    const ack = (await slack.sendEnvelope('slash_commands', command(''))) as { text?: string; response_type?: string };
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toMatch(/^discounts: staging -, production -; \d+ active run\(s\)$/);
  });

  it('answers bad input with the usage, and drops a redelivered envelope', async () => {
    const usage = (await slack.sendEnvelope('slash_commands', command('a b', 'same-trigger'))) as { text?: string };
    expect(usage.text).toMatch(/^Give at most one service name\.\nUsage: `\/slipway status \[service\]`/);
    const repeat = (await slack.sendEnvelope('slash_commands', command('a b', 'same-trigger'), { retryAttempt: 1 })) as { text?: string };
    expect(repeat.text).toBeUndefined();
    expect(slipway.logs.filter((l) => l.msg === 'Slack repeat dropped')).toHaveLength(1);
  });

  it('tells anyone calling the Request URL that it is not used', async () => {
    const res = await fetch(`${slipway.url}/slack/events`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/Socket Mode/);
  });
});
