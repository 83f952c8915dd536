import { describe, expect, it } from 'vitest';
import { statusCommand } from '../../../commands/status.js';
import type { CommandDeps } from '../../../commands/slash-command.js';
import { parseConfig } from '../../../src/config.js';
import { serviceList } from '../../../src/core/config-schema.js';
import type { TargetStatus } from '../../../src/core/ports.js';

const services = serviceList(parseConfig('services:\n  shop: { repo: acme/shop, image: 127.0.0.1:5000/shop, channel: "#shop", environments: [{ name: staging, port: 8080 }] }'));

/** Only what /slipway status reads; a target that never answers stands for a silent remote host. */
const deps = (targetStatus: () => Promise<TargetStatus>) =>
  ({
    services,
    deployments: {
      current: async () => ({
        service: 'shop',
        environment: 'staging',
        release: { sha: 'a'.repeat(40), tag: 'main-aaaaaaa', digest: `sha256:${'a'.repeat(64)}`, image: '127.0.0.1:5000/shop' },
        port: 8080,
        runId: 'r1',
        by: 'U1',
        at: '2026-12-01T10:00:00Z',
        outcome: 'succeeded',
      }),
    },
    locks: { get: async () => undefined },
    approvals: { pending: async () => [] },
    runs: { listByService: async () => [] },
    targetStatus,
  }) as unknown as CommandDeps;

describe('/slipway status', () => {
  it('answers within Slack’s ack time when a target does not answer, saying so', async () => {
    const reply = await statusCommand.run({ service: 'shop' }, deps(() => new Promise(() => {})), { text: 'shop', userId: 'U1', userName: 'ann' });
    expect(JSON.stringify(reply.blocks)).toContain('unknown: the target did not answer within 2 s');
  });

  it('shows what the target says when it answers in time', async () => {
    const reply = await statusCommand.run({ service: 'shop' }, deps(async () => ({ health: 'healthy' })), { text: 'shop', userId: 'U1', userName: 'ann' });
    expect(JSON.stringify(reply.blocks)).toContain('healthy');
    expect(JSON.stringify(reply.blocks)).not.toContain('did not answer');
  });
});
