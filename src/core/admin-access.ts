import { createHash, timingSafeEqual } from 'node:crypto';
import type { Env } from './env-schema.js';

/** Where the queue dashboard is served; every path under it asks for the same credentials. */
export const ADMIN_QUEUES_PATH = '/admin/queues';
export const ADMIN_REALM = 'slipway queue dashboard';

/** Who may open the queue dashboard, and whether they may change jobs (retry, clean, remove). */
export type AdminAccess = {
  token?: string;
  basic?: { user: string; password: string };
  write: boolean;
};

/** The dashboard's access from the environment, or undefined (the dashboard is off) when no credential is set. */
export function adminAccess(env: Pick<Env, 'SLIPWAY_ADMIN_TOKEN' | 'SLIPWAY_ADMIN_USER' | 'SLIPWAY_ADMIN_PASSWORD' | 'SLIPWAY_ADMIN_WRITE'>): AdminAccess | undefined {
  const token = env.SLIPWAY_ADMIN_TOKEN;
  const basic = env.SLIPWAY_ADMIN_USER && env.SLIPWAY_ADMIN_PASSWORD ? { user: env.SLIPWAY_ADMIN_USER, password: env.SLIPWAY_ADMIN_PASSWORD } : undefined;
  if (!token && !basic) return undefined;
  return { token, basic, write: env.SLIPWAY_ADMIN_WRITE };
}

/**
 * Whether an `Authorization` header carries the dashboard's credentials: `Bearer <token>`, or `Basic` with the
 * configured user and password, or with the token as the password (any user name: a browser asks for basic
 * credentials only, and the dashboard's page calls its API with what the browser was given). Every comparison
 * is of SHA-256 digests in constant time, and every configured credential is compared, so the time taken says
 * nothing of which part was wrong.
 */
export function admits(access: AdminAccess, authorization: string | undefined): boolean {
  const given = credentials(authorization);
  if (!given) return false;
  if (given.kind === 'bearer') return access.token !== undefined && same(given.token, access.token);
  const asUser = access.basic ? same(given.user, access.basic.user) && same(given.password, access.basic.password) : false;
  const asToken = access.token !== undefined ? same(given.password, access.token) : false;
  return asUser || asToken;
}

/** What the dashboard may do to jobs when `write` is on: retry, clean (remove) and promote them; nothing else. */
const CHANGES = [
  /^\/api\/queues\/[^/]+\/[^/]+\/(retry|clean|promote)$/,
  /^\/api\/queues\/[^/]+\/retry\/failed$/,
  /^\/api\/queues\/[^/]+\/clean\/[a-z-]+$/,
  /^\/api\/queues\/[^/]+\/promote$/,
];

/**
 * Whether an admitted request may reach the dashboard (`path` relative to /admin/queues): reading always; a
 * change only with `write`, and then only retry, clean and promote (not adding jobs, editing their data,
 * emptying or obliterating a queue, which Bull Board offers too). Checked before Bull Board's own read-only
 * mode, so a route it adds later changes nothing without the setting.
 */
export function adminRequestAllowed(access: AdminAccess, method: string, path: string): 'yes' | 'read-only' | 'not-offered' {
  if (method === 'GET' || method === 'HEAD') return 'yes';
  if (!access.write) return 'read-only';
  return method === 'PUT' && CHANGES.some((change) => change.test(path)) ? 'yes' : 'not-offered';
}

type Given = { kind: 'bearer'; token: string } | { kind: 'basic'; user: string; password: string };

/** The credentials of an `Authorization` header (RFC 7235: the scheme is case-insensitive), or undefined. */
function credentials(header: string | undefined): Given | undefined {
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header ?? '');
  if (!match) return undefined;
  const [, scheme = '', value = ''] = match;
  if (scheme.toLowerCase() === 'bearer') return { kind: 'bearer', token: value };
  if (scheme.toLowerCase() !== 'basic' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { kind: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Equal texts, compared as digests in constant time (the lengths of the digests never differ). */
function same(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
