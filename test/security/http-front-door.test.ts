import { createHmac } from 'node:crypto';
import { type IncomingMessage, request } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { slackHeaders, slashCommandBody } from '../fakes/slack-signer.js';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';
import { SECRETS } from '../helpers/test-slipway.js';
import { useSlackStack } from '../helpers/slack-stack.js';

// Issue 14, points 5 and 10: whoever reaches the port, with no secret at all, must not be able to fill
// slipway's memory with bodies it reads before checking their signature, nor reach a 500 through odd paths.
const SIGNING_SECRET = 'front-door-signing-secret';
const REPO = 'https://git.example.com/acme/front-door.git';
const MiB = 1024 * 1024;

const stack = useSlackStack({
  config: () => `
services:
  front-door:
    repo: ${REPO}
    image: 127.0.0.1:5000/sec-http-front-door
    channel: "#deploys"
    environments:
      - { name: staging, port: 21100 }
`,
  signingSecret: SIGNING_SECRET,
  env: { SLIPWAY_PUBLIC_URL: 'https://slipway.example.com' },
  mode: 'server',
});
let host: string;
let port: number;
beforeAll(() => {
  const url = new URL(stack.slipway.url);
  host = url.hostname;
  port = Number(url.port);
});

type Outcome = { status?: number; body?: string; reset?: string; sent: number };

/**
 * One request written by hand: headers now, then `bodyBytes` of body in 16 KiB pieces, one every `everyMs`,
 * waiting for the socket to drain (so this side buffers nothing). Stops writing once an answer comes; the
 * outcome is the answer, or the reset when the connection was dropped before one came.
 */
function trickle(path: string, headers: Record<string, string>, bodyBytes: number, { everyMs = 20, stopAfter = bodyBytes, chunked = false } = {}): Promise<Outcome> {
  const piece = Buffer.alloc(16 * 1024, 'a');
  return new Promise((resolve) => {
    let sent = 0;
    let settled = false;
    const settle = (outcome: Omit<Outcome, 'sent'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, sent });
      req.destroy();
    };
    const req = request({ host, port, path, method: 'POST', agent: false, headers: chunked ? headers : { ...headers, 'content-length': String(bodyBytes) } });
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => settle({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on('error', () => settle({ status: res.statusCode }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => settle({ reset: error.code ?? error.message }));
    req.flushHeaders();
    let timer: NodeJS.Timeout | undefined;
    const next = () => {
      if (settled || sent >= stopAfter) return;
      const size = Math.min(piece.length, stopAfter - sent);
      sent += size;
      const drained = req.write(size === piece.length ? piece : piece.subarray(0, size));
      const again = () => {
        timer = setTimeout(next, everyMs);
      };
      if (drained) again();
      else req.once('drain', again);
    };
    timer = setTimeout(next, everyMs);
  });
}

const badSignature = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'attack', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` };
const noSignature = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'attack' };

/** A push from the configured repository, as GitHub would send it. */
function push(after: string): string {
  const payload = pushPayload('github', { repoUrl: REPO, after });
  payload.repository.full_name = 'acme/front-door';
  return JSON.stringify(payload);
}

async function honestPush(after: string) {
  const body = push(after);
  const res = await fetch(`${stack.slipway.url}/webhooks/github`, { method: 'POST', body, headers: deliveryHeaders('github', body, SECRETS.GITHUB_WEBHOOK_SECRET) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('the HTTP front door under attack', { timeout: 240_000 }, () => {
  it('answers 401 to a webhook or Slack request from its headers alone, before one byte of the body is sent', async () => {
    const cases: [string, Record<string, string>][] = [
      ['/webhooks/github', noSignature],
      ['/webhooks/github', { ...noSignature, 'x-hub-signature-256': 'sha1=abc' }],
      ['/webhooks/gogs', { 'content-type': 'application/json', 'x-gogs-event': 'push', 'x-gogs-signature': `sha256=${'0'.repeat(64)}` }],
      ['/webhooks/gitlab', { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook' }],
      ['/slack/events', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['/slack/events', { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-signature': 'v0=nothex', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)) }],
      ['/slack/events', { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-signature': `v0=${'0'.repeat(64)}`, 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000) - 600) }],
    ];
    for (const [path, headers] of cases) {
      // stopAfter 0: the body is announced (5 MiB) but never sent; the answer can only come from the headers.
      const outcome = await trickle(path, headers, 5 * MiB, { stopAfter: 0 });
      expect(outcome, `${path} ${JSON.stringify(headers)}`).toMatchObject({ status: 401, sent: 0 });
    }
  });

  it('keeps its memory low under hundreds of slow 5 MiB bodies with a well-formed but wrong signature, and takes honest webhooks after', async () => {
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);
    let outcomes: Outcome[];
    try {
      outcomes = await Promise.all(
        Array.from({ length: 300 }, (_, i) => trickle('/webhooks/github', i % 3 === 0 ? noSignature : badSignature, 5 * MiB, { everyMs: 10 })),
      );
    } finally {
      clearInterval(sampler);
    }
    const growthMiB = (rssPeak - rssBefore) / MiB;
    console.info(`RSS grew ${growthMiB.toFixed(1)} MiB at its peak under the attack`);
    // Before the fix each of these was buffered in full: 300 × 5 MiB. The budget holds 32 MiB of bodies at most.
    expect(growthMiB).toBeLessThan(150);
    // Nothing got in; every request was answered with a refusal, or dropped unread once refused.
    for (const outcome of outcomes) {
      if (outcome.status !== undefined) expect([401, 503]).toContain(outcome.status);
      else expect(outcome.reset).toBeTruthy();
    }
    const statuses = outcomes.map((o) => o.status);
    expect(statuses).toContain(503); // the cap on unverified bodies was reached and held
    // The unsigned third never reaches the budget: refused from its headers (or dropped right after that answer).
    for (const outcome of outcomes.filter((_, i) => i % 3 === 0)) expect(outcome.status ?? 401).toBe(401);
    const busy = outcomes.find((o) => o.status === 503);
    expect(busy?.body).toContain('retry in');
    expect(stack.slipway.logs.some((l) => l.msg === 'webhook body not read' && l.status === 503)).toBe(true);

    expect(await honestPush('1'.repeat(40))).toMatchObject({ status: 202 });
    expect((await fetch(`${stack.slipway.url}/healthz`)).status).toBe(200);
  });

  it('cuts a body that trickles in slower than the deadline and takes honest webhooks after', async () => {
    // Headers and 10 bytes, then nothing more: the body deadline, not the sender, ends the request.
    const outcome = await trickle('/webhooks/github', badSignature, 1000, { stopAfter: 10, everyMs: 1 });
    expect(outcome.status ?? 408).toBe(408);
    expect(stack.slipway.logs.some((l) => l.msg === 'webhook body not read' && l.status === 408)).toBe(true);
    expect(await honestPush('2'.repeat(40))).toMatchObject({ status: 202 });
  });

  it('answers 413 to a chunked Slack body over the limit, having read no more than the limit', async () => {
    const body = 'x'.repeat(16);
    const headers = { ...slackHeaders(body, SIGNING_SECRET), 'transfer-encoding': 'chunked' };
    // One byte past 1 MiB, then the sender waits: the answer comes from the cap, not from the end of the body.
    const outcome = await trickle('/slack/events', headers, 2 * MiB, { chunked: true, stopAfter: MiB + 1, everyMs: 1 });
    expect(outcome).toMatchObject({ status: 413 });
    expect(outcome.body).toContain(`larger than ${MiB} bytes`);
  });

  it('verifies a webhook over the bytes it carries, invalid UTF-8 included', async () => {
    const json = push('3'.repeat(40));
    const at = json.indexOf('"message":"') + '"message":"'.length;
    const bytes = Buffer.concat([Buffer.from(json.slice(0, at)), Buffer.from([0xff, 0xfe]), Buffer.from(json.slice(at))]);
    const signed = (over: Buffer) => ({ ...deliveryHeaders('github', '', SECRETS.GITHUB_WEBHOOK_SECRET), 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRETS.GITHUB_WEBHOOK_SECRET).update(over).digest('hex')}` });
    // Signed over the text as decoded (each bad byte became U+FFFD): not what was sent, so refused.
    const overText = await fetch(`${stack.slipway.url}/webhooks/github`, { method: 'POST', body: bytes, headers: signed(Buffer.from(bytes.toString('utf8'))) });
    expect(overText.status).toBe(401);
    const overBytes = await fetch(`${stack.slipway.url}/webhooks/github`, { method: 'POST', body: bytes, headers: signed(bytes) });
    expect(overBytes.status).toBe(202);
  });

  it('answers a Slack command signed over its bytes, through Bolt, after reading the body itself', async () => {
    const body = slashCommandBody('/slipway', 'help', { channel_name: 'deploys' });
    const res = await fetch(`${stack.slipway.url}/slack/events`, { method: 'POST', body, headers: slackHeaders(body, SIGNING_SECRET) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { response_type: string }).response_type).toBe('ephemeral');
    const forged = await fetch(`${stack.slipway.url}/slack/events`, { method: 'POST', body, headers: slackHeaders(`${body}&x=1`, SIGNING_SECRET) });
    expect(forged.status).toBe(401);
  });
});

describe('odd paths (point 10)', () => {
  it.each(['constructor', '__proto__', 'hasOwnProperty', 'toString', 'valueOf'])('answers 404 "unknown git host" to /webhooks/%s', async (name) => {
    const body = '{}';
    const res = await fetch(`${stack.slipway.url}/webhooks/${name}`, { method: 'POST', body, headers: deliveryHeaders('github', body, SECRETS.GITHUB_WEBHOOK_SECRET) });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toContain('unknown git host');
  });

  it.each(['/runs/%E0%A4%A', '/runs/%', '/runs/%ZZ'])('answers 400 to the malformed run page path %s', async (path) => {
    const res = await fetch(`${stack.slipway.url}${path}?sig=x`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('percent-encoding');
    expect((await fetch(`${stack.slipway.url}/healthz`)).status).toBe(200);
  });
});
