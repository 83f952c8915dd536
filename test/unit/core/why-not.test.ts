import { describe, expect, it } from 'vitest';
import { approvalProgress, approvalRules } from '../../../src/core/approval-rules.js';
import { Service, type ServiceConfig } from '../../../src/core/config-schema.js';
import type { Approval } from '../../../src/core/ports.js';
import type { Run } from '../../../src/core/run.js';
import { type WhyFacts, whyNot } from '../../../src/core/why-not.js';
import { aRun } from '../../helpers/runs.js';

const service: ServiceConfig = {
  name: 'shop',
  ...Service.parse({
    repo: 'acme/shop',
    image: '127.0.0.1:5000/shop',
    channel: '#shop',
    branches: [{ match: 'main', deploy: 'staging' }],
    approvers: { users: ['U0BOB', 'U0CAROL'] },
    environments: [
      { name: 'staging', port: 9000 },
      { name: 'production', port: 9001, requireApproval: true, approvals: [{ count: 2 }] },
    ],
  }),
};
const production = service.environments[1]!;
const at = new Date('2026-11-24T10:00:00Z');

const STAGES = ['checkout', 'deploy:staging', 'approval:production', 'deploy:production'] as const;
const run = (overrides: Partial<Run> = {}): Run => ({ ...aRun({ id: 'shop-r1', stages: STAGES }, at), status: 'waiting', ...overrides });

const approval = (state: Approval['state']): Approval => ({
  runId: 'shop-r1',
  service: 'shop',
  environment: 'production',
  digest: 'sha256:abc',
  tag: 'main-aaaaaaa',
  sha: 'a'.repeat(40),
  state,
  requestedAt: at.toISOString(),
  expiresAt: '2026-11-25T10:00:00Z',
});

const facts = (more: Partial<WhyFacts> = {}): WhyFacts => ({
  service,
  environment: 'production',
  newest: { run: run(), tag: 'main-aaaaaaa', digest: 'sha256:abc' },
  passed: new Set(['staging']),
  ...more,
});

const lines = (f: WhyFacts) => whyNot(f).map((u) => `${u.what} — ${u.fix}`);

describe('whyNot', () => {
  it('says there is no release yet, and how to make one', () => {
    expect(lines(facts({ newest: undefined }))).toEqual(['shop has no release yet — push to main, or /deploy main']);
  });

  it('lists nothing for a release that has what it needs', () => {
    expect(whyNot(facts({ approval: approval('approved') }))).toEqual([]);
  });

  it('lists every unmet condition, one line each with its fix, in the order people would clear them', () => {
    const pending = approval('pending');
    const progress = approvalProgress(approvalRules(service, production), [{ by: 'U0BOB', at: at.toISOString(), eligible: [0] }]);
    expect(
      lines(
        facts({
          lock: { service: 'shop', environment: 'production', by: 'U0DAN', reason: 'audit', at: at.toISOString() },
          freeze: { until: new Date('2026-11-30T07:00:00Z'), timeZone: 'Europe/Berlin', reason: 'weekend' },
          passed: new Set(),
          approval: pending,
          progress,
        }),
      ),
    ).toEqual([
      'production is locked by <@U0DAN>: audit — /slipway unlock production (its holder or an approver), or /slipway lock production to queue for it',
      'production is frozen until Mon 30 Nov 08:00 (Europe/Berlin): weekend — wait, or an approver breaks glass: /deploy force main to production reason: …',
      '`main-aaaaaaa` has not got through staging — /deploy main to staging',
      'approval still needed: 1 more from <@U0BOB> or <@U0CAROL> — press Approve on the card of run `shop-r1`',
    ]);
  });

  it('names the failed run and its cause, and asks for no approval of a release that failed', () => {
    const failed = run({ status: 'failed', failure: { stage: 'test', cause: '2 of 40 tests failed' } });
    expect(lines(facts({ newest: { run: failed, tag: 'main-aaaaaaa', digest: 'sha256:abc' } }))).toEqual([
      'run `shop-r1` failed at test: 2 of 40 tests failed — push a fix, or press Retry on its alert',
    ]);
  });

  it('asks for a new request when the last one was rejected or expired, and for one when none was asked', () => {
    expect(lines(facts({ approval: approval('rejected') }))).toEqual(['the approval request was rejected — /deploy main to production to ask again']);
    expect(lines(facts({ approval: approval('expired') }))).toEqual(['the approval request was expired — /deploy main to production to ask again']);
    expect(lines(facts())).toEqual(['no approval has been asked for production yet — /deploy main to production']);
  });

  it('for a quarantined release, names the quarantine and not the approval it will never be asked for', () => {
    const quarantine = { service: 'shop', environment: 'production', digest: 'sha256:abc', tag: 'main-aaaaaaa', by: 'U0BOB', at: at.toISOString(), reason: 'rolled back by <@U0BOB>' };
    expect(lines(facts({ quarantine }))).toEqual(['`main-aaaaaaa` is quarantined in production: rolled back by <@U0BOB> — /slipway unquarantine production']);
  });
});
