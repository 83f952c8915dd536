import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { replyJson } from '../../../src/intake/http-reply.js';
import { slackEventsRoute } from '../../../src/intake/slack-events-route.js';
import { slackHeaders, slashCommandBody } from '../../fakes/slack-signer.js';
import { post, postWithoutBody, recordingLogger, serveOnLoopback } from './loopback-server.js';

const SIGNING_SECRET = 'slack-signing-secret';
/** Slack's clock, and slipway's: the route is told the time, so no test depends on when it runs. */
const NOW_MS = Date.parse('2026-12-01T10:00:00.000Z');
const NOW_S = NOW_MS / 1000;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** The route in front of a stand-in for Bolt's receiver that answers with the verified bytes it was handed. */
async function slackScene(options: { maxBytes?: number } = {}) {
  const handed: string[] = [];
  const bolt = (req: IncomingMessage, res: ServerResponse) => {
    const raw = (req as IncomingMessage & { rawBody?: Buffer }).rawBody;
    handed.push(raw?.toString('utf8') ?? '');
    replyJson(res, 200, { ok: true });
  };
  const { log, lines } = recordingLogger();
  const route = slackEventsRoute({ bolt, signingSecret: SIGNING_SECRET, log, nowMs: () => NOW_MS, maxBytes: options.maxBytes });
  const server = await serveOnLoopback(route);
  closers.push(server.close);
  return { url: `${server.url}/slack/events`, handed, lines };
}

describe('slackEventsRoute', () => {
  it('hands Bolt the verified bytes of a request signed as Slack signs it', async () => {
    const scene = await slackScene();
    const body = slashCommandBody('/deploy', 'shop main to production');

    const answer = await post(scene.url, body, slackHeaders(body, SIGNING_SECRET, NOW_S));

    expect(answer).toMatchObject({ status: 200, json: { ok: true } });
    expect(scene.handed).toEqual([body]);
  });

  it('refuses a body signed with another secret (401), and Bolt never sees it', async () => {
    const scene = await slackScene();
    const body = slashCommandBody('/deploy', 'shop main to production');

    const answer = await post(scene.url, body, slackHeaders(body, 'not-the-secret', NOW_S));

    expect(answer).toMatchObject({ status: 401, json: { error: 'x-slack-signature does not match: the request is not signed with SLACK_SIGNING_SECRET' } });
    expect(scene.handed).toEqual([]);
    expect(scene.lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'Slack request refused: x-slack-signature does not match' }));
  });

  it.each([
    ['no signature', { 'x-slack-signature': '' }, 'missing x-slack-signature header'],
    ['a signature not shaped as Slack’s', { 'x-slack-signature': 'v1=abc' }, 'x-slack-signature is malformed: Slack sends "v0=" and 64 hex digits'],
    [
      'a timestamp older than Slack’s 5-minute window (a replay)',
      slackHeaders('x', SIGNING_SECRET, NOW_S - 301),
      "x-slack-request-timestamp is more than 5 minutes from slipway's clock (a replay, or a clock that is off)",
    ],
  ])('refuses %s from the headers alone (401), before reading the body', async (_case, headers, error) => {
    const scene = await slackScene();

    const answer = await postWithoutBody(scene.url, { ...slackHeaders('x', SIGNING_SECRET, NOW_S), ...headers, 'content-length': '4096' });

    expect(answer).toMatchObject({ status: 401, json: { error }, headers: { connection: 'close' } });
    expect(scene.handed).toEqual([]);
  });

  it('refuses a body larger than the cap (413) before reading it', async () => {
    const scene = await slackScene({ maxBytes: 1024 });

    const answer = await postWithoutBody(scene.url, { ...slackHeaders('x', SIGNING_SECRET, NOW_S), 'content-length': '1025' });

    expect(answer).toMatchObject({ status: 413, json: { error: 'body is larger than 1024 bytes' }, headers: { connection: 'close' } });
    expect(scene.handed).toEqual([]);
  });
});
