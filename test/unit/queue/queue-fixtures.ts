import { parseConfig } from '../../../src/config.js';
import { type ServiceConfig, serviceList } from '../../../src/core/config-schema.js';
import { newRun, type NewRun, type Run, type StageName } from '../../../src/core/run.js';
import { createLogger, type Logger } from '../../../src/log.js';

/** What the queue's decisions are tested against: fixed times, one service, runs built as slipway builds them. */

export const NOW = new Date('2026-11-02T09:00:00Z');
export const SIGNING_KEY = Buffer.from('unit-test-signing-key-0123456789');
export const APPROVER = 'U0APPROVER';
export const HOLDER = 'U0HOLDER';

/**
 * `discounts`: staging, then production behind one approval (expiring after 24 h), and qa where nothing needs
 * approving unless a freeze is broken.
 */
export const SERVICES: readonly ServiceConfig[] = serviceList(
  parseConfig(`
services:
  discounts:
    repo: acme/discounts
    image: 127.0.0.1:5000/discounts
    channel: "#discounts"
    approvers: { users: [${APPROVER}] }
    lockReminderHours: 2
    environments:
      - { name: staging, port: 8080 }
      - { name: qa, port: 8082 }
      - { name: production, port: 8081, requireApproval: true, approvalExpiresHours: 24 }
`),
);

export const SHA = 'c0ffee'.padEnd(40, '0');
export const RELEASE = { image: '127.0.0.1:5000/discounts', tag: 'main-c0ffee0', digest: `sha256:${'d'.repeat(64)}`, reused: false };

/** A run of `discounts` from main, with only the given stages, queued at NOW. */
export function aRun(id: string, stages: readonly StageName[], fields: Partial<NewRun> = {}): Run {
  return newRun(
    {
      id,
      service: 'discounts',
      trigger: 'push',
      branch: 'main',
      sha: SHA,
      author: { name: 'Ann', email: 'ann@example.com' },
      triggeredBy: { name: 'ann' },
      commits: [],
      cloneUrl: 'file:///srv/git/discounts.git',
      target: { environment: 'production', ephemeral: false },
      stages,
      ...fields,
    },
    NOW,
  );
}

/** A released run standing at its production gate: its earlier stages passed. */
export function aRunAtGate(id: string, fields: Partial<NewRun> = {}): Run {
  const run = aRun(id, ['deploy:staging', 'approval:production', 'deploy:production'], fields);
  return { ...run, release: RELEASE, stages: run.stages.map((s) => (s.name === 'deploy:staging' ? { ...s, status: 'passed' as const } : s)) };
}

/** A logger whose lines the test can read. */
export function recordingLog(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}
