import { describe, expect, it } from 'vitest';
import { slackHeaders, slashCommandBody } from '../fakes/slack-signer.js';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';
import { scrape } from '../helpers/prometheus.js';
import { DISCOUNTS_REPO, SECRETS, TEST_CONFIG } from '../helpers/test-slipway.js';
import { useSlackStack } from '../helpers/slack-stack.js';

const SIGNING_SECRET = 'slack-signing-secret-for-tests';

// The intake's `discounts` service: commands and webhooks reach this slipway, queued runs stay queued.
const stack = useSlackStack({ config: () => TEST_CONFIG, signingSecret: SIGNING_SECRET, mode: 'server' });

async function send(body: string, headers: Record<string, string>) {
  const res = await fetch(`${stack.slipway.url}/slack/events`, { method: 'POST', body, headers });
  const text = await res.text();
  return { status: res.status, text, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, any>) : undefined };
}

const command = (name: string, text: string) => {
  const body = slashCommandBody(name, text);
  return send(body, slackHeaders(body, SIGNING_SECRET));
};

describe('Slack commands', () => {
  it('checked the bot token with auth.test at start-up', () => {
    expect(stack.slack.callsOf('auth.test')).toHaveLength(1);
  });

  it('/slipway help lists every command with an example', async () => {
    const answer = await command('/slipway', 'help');
    expect(answer.status).toBe(200);
    expect(answer.json?.response_type).toBe('ephemeral');
    expect(answer.json?.text).toContain('/slipway status [service]');
    expect(JSON.stringify(answer.json?.blocks)).toContain('/slipway status discounts');
  });

  it('/slipway status shows the environments and a queued run', async () => {
    const payload = JSON.stringify(pushPayload('gogs', { repoUrl: DISCOUNTS_REPO, after: 'c0ffee0000000000000000000000000000000001' }));
    const pushed = await fetch(`${stack.slipway.url}/webhooks/gogs`, {
      method: 'POST',
      body: payload,
      headers: deliveryHeaders('gogs', payload, SECRETS.GOGS_WEBHOOK_SECRET),
    });
    const { runId } = (await pushed.json()) as { runId: string };

    const answer = await command('/slipway', 'status');
    const blocks = JSON.stringify(answer.json?.blocks);
    expect(answer.json?.response_type).toBe('ephemeral');
    expect(blocks).toContain('• *staging*: _nothing deployed_');
    expect(blocks).toContain('• *production*: _nothing deployed_');
    expect(blocks).toContain(runId);
    expect(blocks).toContain('c0ffee0');
    expect(blocks).toContain('queued');
  });

  it('/slipway status with a service name shows only that service', async () => {
    const answer = await command('/slipway', 'status discounts');
    expect(answer.json?.text).toMatch(/^discounts: staging -, production -; \d+ active run\(s\)$/);
  });

  it.each([
    ['/slipway', 'status payments', /Unknown service "payments". Known: discounts/],
    ['/slipway', 'status discounts extra', /at most one service/],
  ])('%s %s answers with an ephemeral usage message', async (name, text, problem) => {
    const answer = await command(name, text);
    expect(answer.status).toBe(200);
    expect(answer.json?.response_type).toBe('ephemeral');
    expect(answer.json?.text).toMatch(problem);
    expect(answer.json?.text).toMatch(/Usage: `\/(status|slipway)/);
    expect(answer.json?.text).toMatch(/Example: /);
  });

  it('/slipway with a subcommand it does not know answers with the list of commands', async () => {
    const answer = await command('/slipway', 'deploy main');
    expect(answer.json?.response_type).toBe('ephemeral');
    expect(answer.json?.text).toMatch(/^:warning: slipway has no command "deploy"\./);
    expect(answer.json?.text).toContain('/slipway status [service]');
  });

  it('answers the old spellings Slack allows (/history), and not /status, which is Slack\'s own', async () => {
    const history = await command('/history', 'discounts');
    expect(history.json?.response_type).toBe('ephemeral');
    expect(history.json?.text).not.toMatch(/does not know|Usage:/);
    expect((await command('/status', '')).json?.text).toBe('slipway does not know /status; /slipway help lists what it does.');
  });

  it('rejects an unsigned request', async () => {
    const body = slashCommandBody('/slipway', 'status');
    const answer = await send(body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(answer.status).toBe(401);
  });

  it('rejects a request signed with another secret', async () => {
    const body = slashCommandBody('/slipway', 'status');
    const answer = await send(body, slackHeaders(body, 'another-secret'));
    expect(answer.status).toBe(401);
  });

  it('rejects a correctly signed request whose timestamp is stale', async () => {
    const body = slashCommandBody('/slipway', 'status');
    const answer = await send(body, slackHeaders(body, SIGNING_SECRET, Math.floor(Date.now() / 1000) - 10 * 60));
    expect(answer.status).toBe(401);
  });

  it('acknowledges a Slack retry of the same request without answering it twice', async () => {
    const body = slashCommandBody('/slipway', 'help');
    const first = await send(body, slackHeaders(body, SIGNING_SECRET));
    const retry = await send(body, { ...slackHeaders(body, SIGNING_SECRET), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });

    expect(first.json?.text).toContain('/slipway status');
    expect(retry.status).toBe(200);
    expect(retry.text).toBe('');
    expect(stack.slipway.logs.filter((l) => l.msg === 'Slack repeat dropped')).toHaveLength(1);
    expect(stack.slipway.logs.filter((l) => l.msg === 'command answered' && l.command === '/slipway').length).toBeGreaterThanOrEqual(1);
  });

  it('counts commands by name and result', async () => {
    const metrics = await scrape(stack.slipway.url);
    expect(metrics.value('slipway_commands_total', { command: '/slipway status', result: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(metrics.value('slipway_commands_total', { command: '/slipway status', result: 'usage' })).toBe(2);
    expect(metrics.value('slipway_commands_total', { command: '/slipway', result: 'usage' })).toBe(1);
  });
});
