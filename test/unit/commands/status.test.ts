import { describe, expect, it, vi } from 'vitest';
import { statusCommand } from '../../../commands/status.js';
import type { CommandDeps } from '../../../commands/slash-command.js';
import { parseConfig } from '../../../src/config.js';
import { serviceList } from '../../../src/core/config-schema.js';
import type { TargetStatus } from '../../../src/core/ports.js';
import { completeRun } from '../../../src/core/run.js';
import { BILLING_CHANNEL, commandHarness, DEVELOPER, NOW, OTHER, RANDOM_CHANNEL, TWO_SERVICES } from './command-harness.js';

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
    // Slack's ack time passes on a fake clock: the test does not wait it out.
    vi.useFakeTimers();
    try {
      const answer = statusCommand.run({ service: 'shop' }, deps(() => new Promise(() => {})), { text: 'shop', userId: 'U1', userName: 'ann' });
      await vi.advanceTimersByTimeAsync(2_000);
      const reply = await answer;
      expect(JSON.stringify(reply.blocks)).toContain('unknown: the target did not answer within 2 s');
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows what the target says when it answers in time', async () => {
    const reply = await statusCommand.run({ service: 'shop' }, deps(async () => ({ health: 'healthy' })), { text: 'shop', userId: 'U1', userName: 'ann' });
    expect(JSON.stringify(reply.blocks)).toContain('healthy');
    expect(JSON.stringify(reply.blocks)).not.toContain('did not answer');
  });
});

describe('/slipway status against the stores', () => {
  it('shows what runs where, the locks, the approvals waiting and the active runs, and no finished run', async () => {
    const h = commandHarness();
    await h.deployed('production', 'b', 'shop-rb', '2026-11-29T10:00:00Z');
    await h.ports.locks.take({ service: 'shop', environment: 'production', by: OTHER, reason: 'audit', at: NOW.toISOString() });
    await h.invoke('/deploy', 'main', DEVELOPER);
    await h.storedRun({ id: 'shop-done' }, (r) => completeRun(r, NOW));

    const reply = await h.invoke('/slipway', 'status', DEVELOPER);

    const shown = JSON.stringify(reply.blocks);
    expect(reply.text).toBe('shop: staging -, production main-bbbbbbb (locked); 1 active run(s)');
    expect(shown).toContain('production is locked by <@UOTHER>: audit');
    expect(shown).toContain('`shop-run1`');
    expect(shown).not.toContain('shop-done');
    expect(reply.visibility).toBe('ephemeral');
  });

  it('lists only the services the channel may command, and refuses a channel that may command none', async () => {
    const h = commandHarness(TWO_SERVICES);

    const here = await h.invoke('/slipway', 'status', DEVELOPER, BILLING_CHANNEL);
    const nowhere = await h.invoke('/slipway', 'status', DEVELOPER, RANDOM_CHANNEL);
    const named = await h.invoke('/slipway', 'status shop', DEVELOPER, BILLING_CHANNEL);

    expect(here.text).toBe('billing: staging -; 0 active run(s)');
    expect(nowhere.text).toBe('shop takes commands and buttons only in #shop or <#C0OPS>: use one of those.');
    expect(named.text).toBe(nowhere.text);
  });

  it.each([
    ['status shop production', 'Give at most one service name.'],
    ['status nope', 'Unknown service "nope". Known: shop.'],
  ])('"%s" is answered with the usage', async (text, problem) => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', text, DEVELOPER);

    expect(reply.usage).toBe(true);
    expect(reply.text).toContain(problem);
  });
});
