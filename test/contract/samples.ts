import type { Lock } from '../../src/core/approval-policy.js';
import type { Approval, AuditEntry, Deployment, Quarantine, Release } from '../../src/core/ports.js';
import { newRun, type Run } from '../../src/core/run.js';

/** Values the contracts store: complete and valid, with only what a test cares about given. */

export const sampleRun = (id: string, service: string, createdAt: string): Run =>
  newRun(
    {
      id,
      service,
      trigger: 'push',
      branch: 'main',
      sha: 'a'.repeat(40),
      author: { name: 'Ann', email: 'ann@example.com' },
      triggeredBy: { name: 'ann' },
      commits: [],
      cloneUrl: 'file:///srv/git/discounts.git',
      target: { environment: 'staging', ephemeral: false },
      stages: ['checkout', 'deploy:staging'],
    },
    new Date(createdAt),
  );

export const sampleRelease = (fields: Partial<Release> & Pick<Release, 'sha'>): Release => ({
  service: 'discounts',
  branch: 'main',
  image: '127.0.0.1:5000/discounts',
  tag: `main-${fields.sha.slice(0, 7)}`,
  digest: `sha256:${fields.sha.padEnd(64, '0')}`,
  runId: `run-${fields.sha}`,
  createdAt: '2026-11-01T10:00:00.000Z',
  ...fields,
});

export const sampleDeployment = (fields: Partial<Deployment> & Pick<Deployment, 'runId'>): Deployment => ({
  service: 'discounts',
  environment: 'production',
  release: { sha: 'a'.repeat(40), tag: 'main-aaaaaaa', digest: `sha256:${'a'.repeat(64)}`, image: '127.0.0.1:5000/discounts' },
  port: 8080,
  by: 'U1',
  at: '2026-11-01T10:00:00.000Z',
  outcome: 'succeeded',
  ...fields,
});

export const sampleApproval = (fields: Partial<Approval> & Pick<Approval, 'runId'>): Approval => ({
  service: 'discounts',
  environment: 'production',
  digest: `sha256:${'b'.repeat(64)}`,
  tag: 'main-bbbbbbb',
  sha: 'b'.repeat(40),
  state: 'pending',
  requestedAt: '2026-11-01T10:00:00.000Z',
  expiresAt: '2026-11-02T10:00:00.000Z',
  ...fields,
});

export const sampleLock = (fields: Partial<Lock> = {}): Lock => ({
  service: 'discounts',
  environment: 'production',
  by: 'U1',
  reason: 'release audit',
  at: '2026-11-01T10:00:00.000Z',
  ...fields,
});

export const sampleQuarantine = (fields: Partial<Quarantine> & Pick<Quarantine, 'digest'>): Quarantine => ({
  service: 'discounts',
  environment: 'production',
  tag: 'main-ccccccc',
  by: 'U1',
  at: '2026-11-01T10:00:00.000Z',
  reason: 'rolled back: errors after deploy',
  ...fields,
});

export const sampleAuditEntry = (fields: Partial<AuditEntry> = {}): AuditEntry => ({
  at: '2026-11-01T10:00:00.000Z',
  service: 'discounts',
  environment: 'production',
  action: 'deploy',
  by: 'U1',
  ...fields,
});

/** `2026-11-01T10:MM:00.000Z`: distinct, ordered times for up to 60 items. */
export const minute = (m: number) => `2026-11-01T10:${String(m).padStart(2, '0')}:00.000Z`;
