import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { slackHeaderProblem, slackSignatureMatches } from '../../../src/core/slack-signature.js';

const NOW = 1_700_000_000_000;
const TS = String(NOW / 1000);
const SECRET = 'slack-secret';
const sign = (body: Buffer, ts = TS) => `v0=${createHmac('sha256', SECRET).update(Buffer.concat([Buffer.from(`v0:${ts}:`), body])).digest('hex')}`;

describe('slackHeaderProblem', () => {
  it.each([
    [undefined, TS, /missing x-slack-signature/],
    ['sha256=abc', TS, /malformed: Slack sends "v0=" and 64 hex/],
    [`v0=${'g'.repeat(64)}`, TS, /malformed/],
    [`v0=${'a'.repeat(64)}`, undefined, /x-slack-request-timestamp/],
    [`v0=${'a'.repeat(64)}`, '12e9', /x-slack-request-timestamp/],
    [`v0=${'a'.repeat(64)}`, String(NOW / 1000 - 301), /more than 5 minutes/],
    [`v0=${'a'.repeat(64)}`, String(NOW / 1000 + 301), /more than 5 minutes/],
  ])('refuses signature %s at timestamp %s before the body is read', (signature, timestamp, problem) => {
    expect(slackHeaderProblem(signature, timestamp, NOW)).toMatch(problem);
  });

  it('lets a well-formed signature inside the window through to the body', () => {
    expect(slackHeaderProblem(`v0=${'a'.repeat(64)}`, String(NOW / 1000 - 299), NOW)).toBeUndefined();
  });
});

describe('slackSignatureMatches', () => {
  it('verifies over the bytes as sent, invalid UTF-8 included', () => {
    const body = Buffer.from([0x74, 0x65, 0x78, 0x74, 0x3d, 0xff, 0xfe, 0x80]);
    expect(slackSignatureMatches(body, TS, sign(body), SECRET)).toBe(true);
    // The same bytes decoded and re-encoded are a different message (each bad byte became U+FFFD).
    const decoded = Buffer.from(body.toString('utf8'));
    expect(slackSignatureMatches(body, TS, sign(decoded), SECRET)).toBe(false);
  });

  it('refuses a changed body, another timestamp and another secret', () => {
    const body = Buffer.from('command=%2Fstatus');
    const signature = sign(body);
    expect(slackSignatureMatches(Buffer.from('command=%2Fdeploy'), TS, signature, SECRET)).toBe(false);
    expect(slackSignatureMatches(body, String(Number(TS) + 1), signature, SECRET)).toBe(false);
    expect(slackSignatureMatches(body, TS, signature, 'other')).toBe(false);
  });
});
