import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { approvalCard } from '../../../../src/core/messages/approval-card.js';
import type { Message } from '../../../../src/core/messages/blocks.js';
import { failureAlert, mention } from '../../../../src/core/messages/failure-alert.js';
import { helpMessage } from '../../../../src/core/messages/help-message.js';
import { cut, fitLines } from '../../../../src/core/messages/limits.js';
import { runMessage, stageDetailMessage } from '../../../../src/core/messages/run-message.js';
import { historyMessage, statusMessage } from '../../../../src/core/messages/status-message.js';
import { usageMessage } from '../../../../src/core/messages/usage-message.js';
import type { ServiceConfig } from '../../../../src/core/config-schema.js';
import type { Approval, AuditEntry, Deployment } from '../../../../src/core/ports.js';
import { failRun, passStage, type Run } from '../../../../src/core/run.js';
import { messageViolations } from '../../../helpers/block-kit-limits.js';
import { aRun } from '../../../helpers/runs.js';

const RUNS = 15;
// A failure is reported as found: shrinking 10,000-character strings takes minutes.
const OPTIONS = { numRuns: RUNS, endOnFailure: true };
const AT = new Date('2026-11-20T10:00:00Z');

/** What real input holds at its worst: markup Slack reads, emoji, huge logs and sentences, newlines. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.tuple(fc.constantFrom('<>&', '```', '<@U123>', '&amp;', '😀', '\n', 'é', 'x'), fc.integer({ min: 1, max: 4_000 })).map(([s, n]) => s.repeat(n)),
  fc.string({ unit: fc.constantFrom('<', '>', '&', 'a', '`', '\n', '😀', 'é', ' '), minLength: 9_000, maxLength: 11_000 }),
);
const lines = (max: number) => fc.array(nasty, { maxLength: max });

const expectAccepted = (message: Message) => {
  expect(messageViolations({ text: message.text, blocks: message.blocks })).toEqual([]);
  expect(message.text.length).toBeLessThanOrEqual(4_000);
};

const aRunOf = (branch: string, author: string, commitMessages: readonly string[]): Run =>
  aRun({
    branch,
    author: { name: author },
    commits: commitMessages.map((message, i) => ({ sha: `${i}`.padStart(40, 'c'), message, author: { name: author } })),
    stages: ['checkout', 'test', 'approval:production', 'deploy:production'],
  });

describe('every message builder stays within Block Kit limits, whatever it is given', () => {
  it('run message and stage details', () => {
    fc.assert(
      fc.property(nasty, nasty, lines(5), nasty, lines(40), (branch, author, commits, summary, details) => {
        let run = passStage(aRunOf(branch, author, commits), 'checkout', AT, summary);
        run = { ...run, stages: run.stages.map((s) => ({ ...s, details })) };
        expectAccepted(runMessage(run, { runUrl: 'https://slipway.example.com/runs/shop-abc' }));
        for (const stage of run.stages) expectAccepted(stageDetailMessage(stage));
      }),
      OPTIONS,
    );
  });

  it('failure alert, with a huge log, cause and failed checks', () => {
    fc.assert(
      fc.property(nasty, nasty, lines(3_000), fc.boolean(), lines(60), (branch, cause, log, checks, details) => {
        let run = failRun(aRunOf(branch, 'Ann <b>', []), 'test', cause, AT);
        if (checks) run = { ...run, stages: run.stages.map((s) => ({ ...s, details: details.map((d) => `:x: ${d}`) })) };
        const alert = failureAlert(run, { authorMention: mention(undefined, cause), log, runUrl: 'https://slipway.example.com/runs/shop-abc' });
        expectAccepted(alert);
        expect(JSON.stringify(alert.blocks)).toContain('"action_id":"retry_run"');
      }),
      OPTIONS,
    );
  });

  it('approval card, pending and decided, with long reasons, many commits and voters, and a lock', () => {
    fc.assert(
      fc.property(
        nasty, lines(300), nasty, fc.constantFrom('pending', 'rejected', 'superseded', 'approved'), fc.array(fc.constant('U0BOB'), { maxLength: 200 }), nasty,
        (tag, commits, reason, state, voters, lockReason) => {
          const run = { ...aRunOf('main', 'Ann', []), override: { by: 'U0ANN', reason } };
          const approval: Approval = {
            runId: run.id, service: 'shop', environment: 'production', digest: 'sha256:1', tag, sha: 'b'.repeat(40), breakGlass: true,
            state, reason, decidedBy: 'U0BOB', decidedAt: '2026-11-20T11:00:00Z', requestedAt: '2026-11-20T10:00:00Z', expiresAt: '2026-11-21T10:00:00Z',
          };
          const card = approvalCard({
            run,
            approval,
            current: { tag, sha: 'a'.repeat(40) },
            commits: commits.map((message, i) => ({ sha: `${i}`.padStart(40, 'c'), message, author: { name: message } })),
            lock: { service: 'shop', environment: 'production', by: 'U0CAROL', reason: lockReason, at: '' },
            votes: { counted: voters, missing: reason, needed: 2 },
          });
          expectAccepted(card);
        },
      ),
      OPTIONS,
    );
  });

  it('status of 200 services with many environments, and history', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 40 }), nasty, (services, environments, text) => {
        const deployment: Deployment = {
          service: 's', environment: text, release: { sha: 'a'.repeat(40), tag: text, digest: `sha256:${'d'.repeat(64)}`, image: 'i' },
          port: 1, runId: 'r', by: text, at: '2026-11-20T10:00:00Z', outcome: 'deployed' as Deployment['outcome'],
        };
        const statuses = Array.from({ length: services }, (_, i) => ({
          service: { name: `${text.slice(0, 50)}${i}`, channel: '#shop' } as ServiceConfig,
          environments: Array.from({ length: environments }, (_, e) => ({ name: `env${e}`, current: deployment, health: text, lock: { service: 's', environment: 'e', by: 'U1', reason: text, at: '' } })),
          pending: [],
          activeRuns: [aRunOf(text, text, [])],
        }));
        const status = statusMessage(statuses);
        expectAccepted(status);
        // Two blocks a service (its environments, its runs), one kept for the notice: 24 services fit in 50 blocks.
        if (services * 2 > 49) expect(JSON.stringify(status.blocks)).toContain('more services');
        else expect(JSON.stringify(status.blocks)).not.toContain('more services');
        const audit: AuditEntry[] = Array.from({ length: 100 }, () => ({ action: 'lock', at: '2026-11-20T10:00:00Z', by: text, detail: text }) as AuditEntry);
        expectAccepted(historyMessage(text, text, Array.from({ length: 100 }, () => deployment), audit));
      }),
      { numRuns: 8, endOnFailure: true },
    );
    // Eight statuses of up to 8,000 environments with long text each: seconds on a loaded machine.
  }, 120_000);

  it('help and usage', () => {
    fc.assert(
      fc.property(lines(40), nasty, (usages, problem) => {
        expectAccepted(helpMessage(usages.map((u) => ({ usage: u, example: u, summary: u }))));
        expectAccepted(usageMessage(problem, problem, problem));
      }),
      OPTIONS,
    );
  });
});

describe('cutting visibly', () => {
  it('says how many lines are left out, with the run page link, and keeps the end of a log', () => {
    const log = Array.from({ length: 2_348 }, (_, i) => `line ${i} ${'<'.repeat(100)}`);
    const alert = failureAlert(failRun(aRun(), 'checkout', 'x'.repeat(10_000), AT), { authorMention: 'Ann', log, runUrl: 'https://s.example.com/runs/1' });
    const tail = JSON.stringify(alert.blocks?.[1]);
    expect(tail).toMatch(/… 2,3\d\d more lines <https:\/\/s\.example\.com\/runs\/1\|on the run page>/);
    expect(tail).toContain('line 2347 &lt;');
    expect(JSON.stringify(alert.blocks?.[0])).toContain('x…');
  });

  it.each([
    ['an entity', `${'a'.repeat(8)}&amp;b`, 10, 'aaaaaaaa…'],
    ['a mention', `${'a'.repeat(5)}<@U123456>`, 12, 'aaaaa…'],
    ['a surrogate pair', `${'a'.repeat(4)}😀😀`, 6, 'aaaa…'],
    ['a code fence', `\`\`\`${'a'.repeat(20)}\`\`\``, 12, '```aaaaaa…```'.slice(0, 12)],
  ])('never splits %s', (_what, text, max, expected) => {
    const result = cut(text, max);
    expect(result.length).toBeLessThanOrEqual(max);
    if (_what !== 'a code fence') expect(result).toBe(expected);
    else expect((result.match(/```/g) ?? []).length % 2).toBe(0);
  });

  it('keeps whole lines and counts the rest', () => {
    expect(fitLines(['aaaa', 'bbbb', 'cccc'], 40, { what: 'commits' })).toBe('aaaa\n_… 2 more commits on the run page_');
    expect(fitLines(['aaaa', 'bbbb'], 40)).toBe('aaaa\nbbbb');
  });
});
