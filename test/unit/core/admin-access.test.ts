import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../../src/config.js';
import { adminAccess, adminRequestAllowed, admits } from '../../../src/core/admin-access.js';

const TOKEN = 't'.repeat(40);
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const access = (env: Record<string, string>) => adminAccess(loadEnv(env));

describe('the queue dashboard is on only with credentials', () => {
  it('is off without any', () => {
    expect(access({})).toBeUndefined();
  });

  it('is on, read-only, with a token or with a user and password', () => {
    expect(access({ SLIPWAY_ADMIN_TOKEN: TOKEN })).toEqual({ token: TOKEN, basic: undefined, write: false });
    expect(access({ SLIPWAY_ADMIN_USER: 'ops', SLIPWAY_ADMIN_PASSWORD: 'p'.repeat(16) })).toEqual({ basic: { user: 'ops', password: 'p'.repeat(16) }, write: false });
  });

  it('lets jobs be changed only when SLIPWAY_ADMIN_WRITE says so', () => {
    expect(access({ SLIPWAY_ADMIN_TOKEN: TOKEN, SLIPWAY_ADMIN_WRITE: 'true' })?.write).toBe(true);
    expect(access({ SLIPWAY_ADMIN_TOKEN: TOKEN, SLIPWAY_ADMIN_WRITE: 'false' })?.write).toBe(false);
  });
});

describe('what the environment refuses, and why', () => {
  it.each([
    [{ SLIPWAY_ADMIN_TOKEN: 'short' }, 'SLIPWAY_ADMIN_TOKEN: expected at least 32 characters'],
    [{ SLIPWAY_ADMIN_USER: 'ops', SLIPWAY_ADMIN_PASSWORD: 'short' }, 'SLIPWAY_ADMIN_PASSWORD: expected at least 16 characters'],
    [{ SLIPWAY_ADMIN_USER: 'ops' }, 'SLIPWAY_ADMIN_PASSWORD: required with SLIPWAY_ADMIN_USER'],
    [{ SLIPWAY_ADMIN_PASSWORD: 'p'.repeat(16) }, 'SLIPWAY_ADMIN_USER: required with SLIPWAY_ADMIN_PASSWORD'],
    [{ SLIPWAY_ADMIN_USER: 'a:b', SLIPWAY_ADMIN_PASSWORD: 'p'.repeat(16) }, 'SLIPWAY_ADMIN_USER: expected a user name without ":"'],
    [{ SLIPWAY_ADMIN_TOKEN: TOKEN, SLIPWAY_ADMIN_WRITE: 'sometimes' }, 'SLIPWAY_ADMIN_WRITE: expected true or false'],
    [{ SLIPWAY_ADMIN_WRITE: 'true' }, 'SLIPWAY_ADMIN_WRITE: the queue dashboard is off'],
  ])('%o', (env, message) => {
    expect(() => loadEnv(env)).toThrow(message);
  });
});

describe('admits', () => {
  const both = { token: TOKEN, basic: { user: 'ops', password: 'a-long-password-1' }, write: false };
  const tokenOnly = { token: TOKEN, write: false };
  const userOnly = { basic: { user: 'ops', password: 'a-long-password-1' }, write: false };

  it.each([
    ['the bearer token', both, `Bearer ${TOKEN}`, true],
    ['the scheme in any case', both, `bearer ${TOKEN}`, true],
    ['the user and password', both, basic('ops', 'a-long-password-1'), true],
    ['the token as a basic password, any user', tokenOnly, basic('anyone', TOKEN), true],
    ['a password holding a colon', { basic: { user: 'ops', password: 'with:colon:inside!' }, write: false }, basic('ops', 'with:colon:inside!'), true],
    ['no header', both, undefined, false],
    ['an empty header', both, '', false],
    ['a wrong token', both, `Bearer ${'x'.repeat(40)}`, false],
    ['the token with one character more', both, `Bearer ${TOKEN}x`, false],
    ['a bearer token where only basic auth is set', userOnly, `Bearer ${TOKEN}`, false],
    ['a wrong password', both, basic('ops', 'a-long-password-2'), false],
    ['the right password of another user', both, basic('root', 'a-long-password-1'), false],
    ['basic credentials without a colon', both, `Basic ${Buffer.from('ops').toString('base64')}`, false],
    ['basic credentials that are not base64', both, 'Basic not*base64', false],
    ['another scheme', both, `Digest ${TOKEN}`, false],
    ['the scheme alone', both, 'Bearer', false],
  ] as const)('%s', (_name, given, header, expected) => {
    expect(admits(given, header)).toBe(expected);
  });
});

describe('adminRequestAllowed', () => {
  const readOnly = { token: TOKEN, write: false };
  const write = { token: TOKEN, write: true };

  it.each([
    [readOnly, 'GET', '/api/queues', 'yes'],
    [readOnly, 'HEAD', '/', 'yes'],
    [readOnly, 'PUT', '/api/queues/runs/r-1/retry', 'read-only'],
    [readOnly, 'PUT', '/api/queues/runs/clean/failed', 'read-only'],
    [readOnly, 'POST', '/api/queues/runs/add', 'read-only'],
    [write, 'PUT', '/api/queues/runs/r-1/retry', 'yes'],
    [write, 'PUT', '/api/queues/runs/retry/failed', 'yes'],
    [write, 'PUT', '/api/queues/runs/r-1/clean', 'yes'],
    [write, 'PUT', '/api/queues/runs/clean/completed', 'yes'],
    [write, 'PUT', '/api/queues/runs/retry/completed', 'not-offered'],
    [write, 'PUT', '/api/queues/gates/expire-r-1-production/promote', 'yes'],
    [write, 'PUT', '/api/queues/gates/promote', 'yes'],
    [write, 'POST', '/api/queues/runs/r-1/retry', 'not-offered'],
    [write, 'POST', '/api/queues/runs/add', 'not-offered'],
    [write, 'PATCH', '/api/queues/runs/r-1/update-data', 'not-offered'],
    [write, 'PUT', '/api/queues/runs/empty', 'not-offered'],
    [write, 'PUT', '/api/queues/runs/obliterate', 'not-offered'],
    [write, 'PUT', '/api/queues/pause', 'not-offered'],
    [write, 'PUT', '/api/queues/runs/concurrency', 'not-offered'],
    [write, 'PUT', '/api/queues/runs/r-1/retry/extra', 'not-offered'],
  ] as const)('%o %s %s → %s', (access, method, path, expected) => {
    expect(adminRequestAllowed(access, method, path)).toBe(expected);
  });
});
