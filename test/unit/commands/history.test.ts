import { describe, expect, it } from 'vitest';
import { APPROVER, commandHarness, DEVELOPER, RANDOM_CHANNEL } from './command-harness.js';

type Harness = ReturnType<typeof commandHarness>;

/** Six deployments to each environment, an hour apart, staging first; one audit entry per environment. */
async function sixEach(h: Harness) {
  for (let i = 0; i < 6; i++) {
    await h.deployed('staging', String.fromCharCode(97 + i), `shop-s${i}`, `2026-11-30T0${i}:00:00Z`);
    await h.deployed('production', String.fromCharCode(97 + i), `shop-p${i}`, `2026-11-30T0${i}:30:00Z`);
  }
  await h.ports.audit.record({ at: '2026-11-30T07:00:00Z', service: 'shop', environment: 'staging', action: 'lock', by: DEVELOPER, detail: 'load test' });
  await h.ports.audit.record({ at: '2026-11-30T08:00:00Z', service: 'shop', environment: 'production', action: 'approve', by: APPROVER, runId: 'shop-p5' });
}

const deploymentLines = (blocks: unknown) => ((blocks as { text: { text: string } }[])[0]?.text.text ?? '').split('\n').slice(1);

describe('/slipway history', () => {
  it('of a service: its ten newest deployments across environments, newest first, and its audit log', async () => {
    const h = commandHarness();
    await sixEach(h);

    const reply = await h.invoke('/slipway', 'history', DEVELOPER);

    expect(reply.text).toBe('History of shop: 10 deployment(s), 2 audit entries');
    const lines = deploymentLines(reply.blocks);
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('• 2026-11-30T05:30:00Z production `main-fffffff` — succeeded (<@UDEVELOPER>, run `shop-p5`)');
    expect(lines[9]).toContain('shop-s1');
    expect(JSON.stringify(reply.blocks)).toContain('approve production by <@UAPPROVER>');
  });

  it.each([['history production'], ['history shop production'], ['history production shop']])('"%s": one environment only', async (text) => {
    const h = commandHarness();
    await sixEach(h);

    const reply = await h.invoke('/slipway', text, DEVELOPER);

    expect(reply.text).toBe('History of shop production: 6 deployment(s), 1 audit entries');
    expect(deploymentLines(reply.blocks).every((l) => l.includes(' production '))).toBe(true);
  });

  it('of nothing yet says so', async () => {
    const h = commandHarness();

    const reply = await h.invoke('/history', 'staging', DEVELOPER);

    expect(reply.text).toBe('History of shop staging: 0 deployment(s), 0 audit entries');
    expect(JSON.stringify(reply.blocks)).toContain('_none yet_');
  });

  it('from a channel the service does not take commands in is refused', async () => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', 'history', DEVELOPER, RANDOM_CHANNEL);

    expect(reply).toEqual({ text: 'shop takes commands and buttons only in #shop or <#C0OPS>: use one of those.', visibility: 'ephemeral' });
  });

  it.each([
    ['history qa', 'shop has no environment "qa": staging, production.'],
    ['history shop staging production', 'Too many words: give at most a service and an environment.'],
  ])('"%s" is answered with the usage', async (text, problem) => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', text, DEVELOPER);

    expect(reply.usage).toBe(true);
    expect(reply.text).toContain(problem);
  });
});
