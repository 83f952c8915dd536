import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyBudget } from './body-budget.js';
import { replyJson } from './http-reply.js';

/** Why a body was not read (or not read to its end): the status and message the sender gets. */
export class BodyRefused extends Error {
  constructor(
    readonly status: 400 | 408 | 413 | 503,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export type BodyLimits = {
  /** The largest body taken. */
  maxBytes: number;
  /** How long the whole body may take to arrive; a body trickled in slowly holds room others need. */
  deadlineMs: number;
  budget: BodyBudget;
};

/** Git hosts give up on a webhook after 10 s and Slack after 3 s: a body still arriving later is no one's. */
export const BODY_DEADLINE_MS = 10_000;

/** Seconds a sender refused for want of room is told to wait. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Reads the raw body under `limits` and hands it to `use`, holding room in the budget until `use` is done
 * (until the body is verified and parsed, it is just bytes from anyone). Throws `BodyRefused` for a body
 * that is too large, that does not fit in the budget now, or that does not arrive in time.
 */
export async function withBody<T>(req: IncomingMessage, limits: BodyLimits, use: (body: Buffer) => Promise<T>): Promise<T> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limits.maxBytes) throw tooLarge(limits.maxBytes);
  // A chunked body says nothing of its size, so it is given room for the largest one.
  const release = limits.budget.reserve(declared ?? limits.maxBytes);
  if (!release) {
    throw new BodyRefused(503, `slipway is reading as many unverified bodies as it takes at once; retry in ${RETRY_AFTER_SECONDS} s`, {
      'retry-after': String(RETRY_AFTER_SECONDS),
    });
  }
  try {
    return await use(await readBody(req, limits, declared));
  } finally {
    release();
  }
}

function readBody(req: IncomingMessage, { maxBytes, deadlineMs }: BodyLimits, declared: number | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // With a declared length the bytes are copied into one buffer as they come, so a body never takes its
    // chunks and their concatenation at once (twice what the budget counted).
    const whole = declared === undefined ? undefined : Buffer.allocUnsafe(declared);
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: Error | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onClose).off('close', onClose);
      if (error) {
        req.pause();
        chunks.length = 0;
        reject(error);
      } else {
        resolve(whole ? whole.subarray(0, size) : Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > (whole?.length ?? maxBytes)) return finish(tooLarge(maxBytes));
      if (whole) chunk.copy(whole, size);
      else chunks.push(chunk);
      size += chunk.length;
    };
    const onEnd = () => finish(undefined);
    const onClose = () => finish(new BodyRefused(400, 'the sender closed the connection before the body ended'));
    const timer = setTimeout(() => finish(new BodyRefused(408, `the body did not arrive within ${deadlineMs / 1000} s`)), deadlineMs);
    req.on('data', onData).on('end', onEnd).on('error', onClose).on('close', onClose);
  });
}

function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

function tooLarge(limit: number): BodyRefused {
  return new BodyRefused(413, `body is larger than ${limit} bytes`);
}

/**
 * Answers a request whose body is left unread (refused from its headers, or too large, or no room), and drops
 * the connection once the answer is out so the rest of the body is never taken in.
 */
export function refuseUnread(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  replyJson(res, status, body, { ...headers, connection: 'close' });
  res.once('finish', () => req.destroy());
}
