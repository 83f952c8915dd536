import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { jsonArg, messageViolations, type Violation, viewViolations } from '../helpers/block-kit-limits.js';

export type SlackCall = { method: string; args: Record<string, unknown> };

/** Arguments Slack itself refuses a call without; a missing one gets Slack's own error. */
const REQUIRED: Record<string, readonly string[][]> = {
  'auth.test': [],
  'chat.postMessage': [['channel'], ['text', 'blocks', 'attachments']],
  'chat.update': [['channel'], ['ts']],
  'chat.postEphemeral': [['channel'], ['user'], ['text', 'blocks', 'attachments']],
  'users.lookupByEmail': [['email']],
  'usergroups.users.list': [['usergroup']],
  'conversations.list': [],
  'views.open': [['trigger_id'], ['view']],
  'files.getUploadURLExternal': [['filename'], ['length']],
  'files.completeUploadExternal': [['files']],
  'apps.connections.open': [],
};

export type FakeSlackOptions = {
  token: string;
  /** The app-level token Socket Mode connects with (`apps.connections.open`). */
  appToken?: string;
  /** email → Slack user id, for users.lookupByEmail */
  users?: Record<string, string>;
  /** group id → member ids, for usergroups.users.list */
  groups?: Record<string, string[]>;
  /** channel id → name, for conversations.list; by default the channels the signer and slackUsers use. */
  channels?: Record<string, string>;
  /** Channels slipway's bot is not a member of: sharing a file there gets Slack's `not_in_channel`. */
  notInChannels?: readonly string[];
};

/** Channels the tests type in: `C0` and the upper-cased name, as slackUsers and the signer make them. */
export const DEFAULT_CHANNELS: Record<string, string> = Object.fromEntries(
  ['deploys', 'sample', 'random', 'shop', 'discounts', 'general'].map((name) => [`C0${name.toUpperCase()}`, name]),
);

/** At most this many channels a page (Slack may answer fewer than `limit`): every test goes through the cursors. */
const CONVERSATIONS_PAGE = 2;

/**
 * The Slack Web API at its HTTP boundary, on 127.0.0.1: checks the bearer token and required arguments as
 * Slack does, records every call, and keeps calls it does not know in `unexpected` for the test to fail on.
 */
/** An error answer (429 with Retry-After, a 5xx), or no answer at all for `hangMs` (the call is not processed). */
export type Failure = { status: number; retryAfterSeconds?: number } | { hangMs: number };

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly unexpected: string[] = [];
  /** When each recorded call arrived, and the ts a posted message got. */
  readonly callTimes = new Map<SlackCall, number>();
  private readonly answers = new Map<SlackCall, Record<string, unknown>>();
  /** Calls answered with an injected failure, in order. */
  readonly failed: { method: string; status: number }[] = [];
  private readonly failures = new Map<string, Failure[]>();
  private server?: Server;
  private ts = 1_700_000_000;
  private readonly sockets = new WebSocketServer({ noServer: true });
  private socket?: WebSocket;
  private readonly acks = new Map<string, (payload: unknown) => void>();
  /** Files handed an upload URL: the length announced, and the bytes once posted. */
  private readonly uploads = new Map<string, { length: number; bytes?: Buffer }>();
  /** Channels slipway's bot is not in (a test may change them): files shared there get `not_in_channel`. */
  readonly notInChannels: Set<string>;

  constructor(private readonly options: FakeSlackOptions) {
    this.notInChannels = new Set(options.notInChannels);
  }

  /** Where Slack would have `respond()` post for a request: recorded as calls of `response_url`. */
  get responseUrl(): string {
    return this.url.replace(/\/api\/$/, '/respond/1');
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('fake Slack is not started');
    return `http://127.0.0.1:${address.port}/api/`;
  }

  /** The ts Slack gave a posted message. */
  answerTs(call: SlackCall): string {
    return String(this.answers.get(call)?.ts ?? '');
  }

  /** Calls Slack refused (`invalid_blocks`, `msg_too_long`, …), in order: over a limit, or made to by `refuseNext`. */
  readonly refused: { method: string; error: string; args: Record<string, unknown> }[] = [];
  private readonly refusals = new Map<string, string[]>();

  /** The next `times` calls of `method` are refused with `error` (`invalid_blocks`), whatever they hold. */
  refuseNext(method: string, times: number, error = 'invalid_blocks'): void {
    this.refusals.set(method, [...(this.refusals.get(method) ?? []), ...Array.from({ length: times }, () => error)]);
  }

  /** The next `times` calls of `method` get `failure` (429 with Retry-After, or a 5xx) as Slack would send it. */
  failNext(method: string, times: number, failure: Failure): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...Array.from({ length: times }, () => failure)]);
  }

  /** The bytes posted for a file (its upload URL's body), once they arrived. */
  uploadedBytes(fileId: string): Buffer | undefined {
    return this.uploads.get(fileId)?.bytes;
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const reply = (body: Record<string, unknown>, status = 200) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const args = parseArgs(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
      if (req.url?.startsWith('/upload/')) {
        // The file's bytes, posted to the URL files.getUploadURLExternal gave.
        const bytes = await uploadedFile(Buffer.concat(chunks), req.headers['content-type']);
        const fileId = req.url.slice('/upload/'.length);
        const upload = this.uploads.get(fileId);
        if (!upload) {
          // An upload URL Slack never handed out: its file server answers 404.
          this.unexpected.push(`file upload to an unknown URL /upload/${fileId}`);
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('Not Found');
          return;
        }
        upload.bytes = bytes;
        const call = { method: 'file_upload', args: { fileId, size: bytes.length, png: bytes.includes(Buffer.from('PNG')) } };
        this.calls.push(call);
        this.callTimes.set(call, Date.now());
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`OK - ${bytes.length}`);
        return;
      }
      if (req.url?.startsWith('/respond/')) {
        // response_url needs no token: the URL itself is the secret.
        const call = { method: 'response_url', args };
        this.calls.push(call);
        this.callTimes.set(call, Date.now());
        return reply({ ok: true });
      }
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';

      const failure = this.failures.get(method)?.shift();
      if (failure && 'hangMs' in failure) {
        // A call lost on the way: never processed, never answered; the client's timeout has to notice.
        this.failed.push({ method, status: 0 });
        setTimeout(() => res.destroy(), failure.hangMs);
        return;
      }
      if (failure) {
        this.failed.push({ method, status: failure.status });
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (failure.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.retryAfterSeconds);
        res.writeHead(failure.status, headers);
        res.end(JSON.stringify({ ok: false, error: failure.status === 429 ? 'ratelimited' : 'internal_error' }));
        return;
      }
      if (!(method in REQUIRED)) {
        this.unexpected.push(method);
        return reply({ ok: false, error: 'unknown_method' });
      }
      const token = method === 'apps.connections.open' ? this.options.appToken : this.options.token;
      if (req.headers.authorization !== `Bearer ${token}`) {
        this.unexpected.push(`${method} with a wrong or missing token`);
        return reply({ ok: false, error: req.headers.authorization ? 'invalid_auth' : 'not_authed' });
      }
      const missing = REQUIRED[method]?.find((anyOf) => !anyOf.some((name) => args[name] !== undefined && args[name] !== ''));
      if (missing) {
        this.unexpected.push(`${method} without ${missing.join(' or ')}`);
        return reply({ ok: false, error: missing[0] === 'channel' ? 'channel_not_found' : 'no_text' });
      }
      const refused = this.refusals.get(method)?.shift();
      const violations = refused ? [] : limitViolations(method, args);
      if (refused || violations.length > 0) {
        // Slack refuses the whole message when one block breaks one limit, and says where in response_metadata.
        const error = refused ?? violations[0]!.error;
        const call = { method, args };
        this.refused.push({ method, error, args });
        this.callTimes.set(call, Date.now());
        if (!refused) this.unexpected.push(`${method} refused by Slack: ${error} (${violations.map((v) => `${v.pointer} ${v.message}`).join('; ')})`);
        return reply({ ok: false, error, response_metadata: { messages: violations.map((v) => `[ERROR] ${v.message} [json-pointer:${v.pointer}]`) } });
      }
      const call = { method, args };
      const answer = this.answer(method, args);
      this.calls.push(call);
      this.callTimes.set(call, Date.now());
      this.answers.set(call, answer);
      reply(answer);
    });
    // Socket Mode: the URL apps.connections.open hands out is a WebSocket on this same server.
    this.server.on('upgrade', (req, socket, head) => {
      this.sockets.handleUpgrade(req, socket, head, (ws) => {
        this.socket = ws;
        ws.on('message', (data) => {
          const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
          if (message.envelope_id) this.acks.get(message.envelope_id)?.(message.payload ?? {});
        });
        ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0SLIPWAY' }, debug_info: { host: 'fake' } }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  /** Waits until a Socket Mode client is connected. */
  async socketConnected(ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.socket) {
      if (Date.now() > deadline) throw new Error('no Socket Mode connection');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends an envelope over Socket Mode, as Slack does; resolves with the payload the app acknowledged it with. */
  sendEnvelope(type: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>, { retryAttempt = 0 } = {}): Promise<unknown> {
    if (!this.socket) throw new Error('no Socket Mode connection');
    const envelopeId = randomUUID();
    const acked = new Promise<unknown>((resolve) => this.acks.set(envelopeId, resolve));
    this.socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: retryAttempt, retry_reason: retryAttempt ? 'timeout' : '' }));
    return acked;
  }

  async stop(): Promise<void> {
    this.socket?.terminate();
    this.sockets.close();
    await new Promise((resolve) => {
      this.server?.close(resolve);
      this.server?.closeAllConnections();
    });
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://acme.slack.com/', team: 'Acme', user: 'slipway', team_id: 'T0001', user_id: 'UBOT0001', bot_id: 'BBOT0001' };
      case 'chat.postMessage':
        return { ok: true, channel: args.channel, ts: `${this.ts++}.000100`, message: { text: args.text } };
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${this.ts++}.000200` };
      case 'users.lookupByEmail': {
        const id = this.options.users?.[String(args.email)];
        return id ? { ok: true, user: { id, profile: { email: args.email } } } : { ok: false, error: 'users_not_found' };
      }
      case 'apps.connections.open':
        return { ok: true, url: this.url.replace(/^http/, 'ws').replace(/\/api\/$/, '/socket') };
      case 'files.getUploadURLExternal': {
        const length = Number(args.length);
        if (!Number.isInteger(length) || length <= 0) return { ok: false, error: 'invalid_arguments' };
        const id = `F${this.ts++}`;
        this.uploads.set(id, { length });
        return { ok: true, file_id: id, upload_url: this.url.replace(/\/api\/$/, `/upload/${id}`) };
      }
      case 'files.completeUploadExternal': {
        const files = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as { id?: string; title?: string }[];
        // Only files whose bytes arrived, in the length announced, can be completed.
        const missing = files.find((f) => {
          const upload = this.uploads.get(String(f.id));
          return !upload?.bytes || upload.bytes.length !== upload.length;
        });
        if (missing) return { ok: false, error: 'file_not_found' };
        const channel = args.channel_id === undefined ? undefined : String(args.channel_id);
        if (channel && this.notInChannels.has(channel)) return { ok: false, error: 'not_in_channel' };
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title, channels: channel ? [channel] : [] })) };
      }
      case 'views.open':
        return { ok: true, view: { id: `V${this.ts++}` } };
      case 'conversations.list': {
        // Paginated by cursor as Slack does: next_cursor is '' on the last page.
        const all = Object.entries(this.options.channels ?? DEFAULT_CHANNELS).map(([id, name]) => ({ id, name, is_private: false }));
        const start = args.cursor ? Number(Buffer.from(String(args.cursor), 'base64').toString('utf8').replace('offset:', '')) : 0;
        if (!Number.isInteger(start) || start < 0) return { ok: false, error: 'invalid_cursor' };
        const limit = Math.min(Number(args.limit) || 100, CONVERSATIONS_PAGE);
        const next = start + limit < all.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
        return { ok: true, channels: all.slice(start, start + limit), response_metadata: { next_cursor: next } };
      }
      case 'usergroups.users.list': {
        const users = this.options.groups?.[String(args.usergroup)];
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

/** What Slack would refuse in a call's payload, checked with the limits the property tests use. */
function limitViolations(method: string, args: Record<string, unknown>): Violation[] {
  if (method === 'chat.postMessage' || method === 'chat.update' || method === 'chat.postEphemeral') {
    return messageViolations({ text: args.text, blocks: jsonArg(args.blocks) });
  }
  if (method === 'views.open') return viewViolations(jsonArg(args.view));
  return [];
}

/** The file's bytes as posted to an upload URL: raw, or the one file of a multipart form (as @slack/web-api sends it). */
async function uploadedFile(body: Buffer, contentType: string | undefined): Promise<Buffer> {
  if (!contentType?.startsWith('multipart/form-data')) return body;
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  const file = [...form.values()].find((v) => typeof v !== 'string');
  return file && typeof file !== 'string' ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0);
}

function parseArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  if (body === '') return {};
  if (contentType?.startsWith('application/json')) return JSON.parse(body) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(body));
}
