import { describe, expect, it } from 'vitest';
import { signerRefusal, signersRefusal } from '../../../src/core/webhook-signer.js';

const HOST = { name: 'GITHUB_WEBHOOK_SECRET' };
const A = { name: 'A_SECRET', service: 'a' };
const B = { name: 'B_SECRET', service: 'b' };
const withOwn = { name: 'b', webhookSecretEnv: 'B_SECRET' };
const shared = { name: 'c' };

describe('signerRefusal', () => {
  it.each([
    ['its own secret, for a service with one', withOwn, [B]],
    ['the host-wide secret, for a service without one', shared, [HOST]],
    ['the host-wide secret, for a repository slipway does not build', undefined, [HOST]],
    ['two secrets of the same value, one of them the right one', withOwn, [HOST, B]],
  ] as const)('takes a delivery signed with %s', (_what, service, signedWith) => {
    expect(signerRefusal(service, signedWith, HOST.name)).toBeUndefined();
  });

  it.each([
    ['another service’s secret, for a service with its own', withOwn, [A], 'B_SECRET'],
    ['the host-wide secret, for a service with its own', withOwn, [HOST], 'B_SECRET'],
    ['a service’s secret, for a service without one', shared, [A], 'GITHUB_WEBHOOK_SECRET'],
    ['a service’s secret, for a repository slipway does not build', undefined, [A], 'GITHUB_WEBHOOK_SECRET'],
  ] as const)('refuses a delivery signed with %s, naming the secret expected', (_what, service, signedWith, expected) => {
    const refusal = signerRefusal(service, signedWith, HOST.name);
    expect(refusal).toContain(`must be signed with ${expected}`);
    expect(refusal).toContain(`signed with ${signedWith.map((s) => s.name).join(' or ')}`);
  });
});

describe('signersRefusal (services sharing a repository)', () => {
  const alsoB = { name: 'b2', webhookSecretEnv: 'B_SECRET' };
  const B2 = { name: 'B_SECRET', service: 'b2' };

  it('takes a delivery every service named accepts', () => {
    expect(signersRefusal([withOwn, alsoB], [B, B2], HOST.name)).toBeUndefined();
    expect(signersRefusal([], [HOST], HOST.name)).toBeUndefined();
  });

  it('refuses one that a service named would not take, naming the secret it needs', () => {
    expect(signersRefusal([shared, withOwn], [HOST], HOST.name)).toMatch(/names b's repository, whose deliveries must be signed with B_SECRET/);
    expect(signersRefusal([withOwn, alsoB], [B], HOST.name)).toMatch(/names b2's repository/);
  });
});
