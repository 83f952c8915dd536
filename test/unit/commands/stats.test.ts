import { describe, expect, it } from 'vitest';
import type { StatsChartRequest } from '../../../src/core/ports.js';
import { commandHarness, DEVELOPER, RANDOM_CHANNEL, sha, TWO_SERVICES } from './command-harness.js';

type Harness = ReturnType<typeof commandHarness>;

/** What the command asked to be drawn and uploaded. */
function recordCharts(h: Harness): StatsChartRequest[] {
  const asked: StatsChartRequest[] = [];
  h.deps.charts = { post: (request) => void asked.push(request) };
  h.deps.servicePageUrl = (service) => `https://slipway.example.com/services/${service}?sig=${'a'.repeat(32)}`;
  return asked;
}

/** Two production changes in the last week (the second rolled back by slipway) and one staging change. */
async function aWeek(h: Harness) {
  await h.storedRun({ id: 'shop-r1', trigger: 'push', sha: sha('a'), commits: [{ sha: sha('a'), message: 'feat: a', author: { name: 'Dev' }, at: '2026-11-28T08:00:00Z' }] });
  await h.storedRun({ id: 'shop-r2', trigger: 'push', sha: sha('b'), commits: [{ sha: sha('b'), message: 'feat: b', author: { name: 'Dev' }, at: '2026-11-30T06:00:00Z' }] });
  await h.deployed('staging', 'a', 'shop-r1', '2026-11-28T09:00:00Z');
  await h.deployed('production', 'a', 'shop-r1', '2026-11-28T10:00:00Z');
  await h.deployed('production', 'b', 'shop-r2', '2026-11-30T08:00:00Z');
  await h.deployed('production', 'a', 'shop-r2', '2026-11-30T08:30:00Z');
}

const text = (reply: { blocks?: unknown }) => JSON.stringify(reply.blocks);

describe('/slipway stats', () => {
  it('answers every environment\'s four figures over 30 days by default, in the channel, and asks for the chart', async () => {
    const h = commandHarness();
    const charts = recordCharts(h);
    await aWeek(h);

    const reply = await h.invoke('/slipway', 'stats', DEVELOPER);

    expect(reply.visibility).toBe('in_channel');
    expect(reply.text).toBe('shop: how delivery went in the last 30d\nstaging: 1 deployment, change failure 0%\nproduction: 2 deployments, change failure 50%');
    const blocks = text(reply);
    expect(blocks).toContain('• lead time, commit to production: 2h median over 2 commits');
    expect(blocks).toContain('• change failure rate: 50% (1 of 2: 1 rolled back)');
    expect(blocks).toContain('• time to restore: 30m median over 1');
    expect(blocks).toContain('The chart follows in a moment.');
    expect(blocks).toContain('<https://slipway.example.com/services/shop?sig=');
    expect(charts).toHaveLength(1);
    expect(charts[0]).toMatchObject({ channel: 'C0SHOP', user: DEVELOPER, service: 'shop' });
    expect(charts[0]?.stats.map((s) => [s.environment, s.window.days])).toEqual([['staging', 30], ['production', 30]]);
  });

  it.each([['stats 7d'], ['stats shop 7d'], ['stats 7d shop'], ['stats 1w']])('"%s": a week', async (typed) => {
    const h = commandHarness();
    const charts = recordCharts(h);
    await aWeek(h);
    const reply = await h.invoke('/slipway', typed, DEVELOPER);
    expect(reply.text).toMatch(/^shop: how delivery went in the last (7d|1w)/);
    expect(charts[0]?.stats[0]?.window.days).toBe(7);
  });

  it('says so when there is no history, without a ratio of nothing', async () => {
    const h = commandHarness();
    recordCharts(h);
    const blocks = text(await h.invoke('/slipway', 'stats', DEVELOPER));
    expect(blocks).toContain('• deployment frequency: 0 deployments, 0.00 a day');
    expect(blocks).toContain('• change failure rate: no changes');
    expect(blocks).toContain('• time to restore: nothing to restore');
    expect(blocks).toContain('• lead time, commit to production: no deployed commits');
  });

  it('without Slack (the console): the figures, no chart asked for', async () => {
    const h = commandHarness();
    await aWeek(h);
    const reply = await h.invoke('/slipway', 'stats', DEVELOPER, null);
    expect(text(reply)).not.toContain('The chart follows');
    expect(text(reply)).toContain('*production*');
  });

  it.each([
    ['stats 400d', 'A window is 1d to 365d (52w); 400d is 400 days.'],
    ['stats 0d', 'A window is 1d to 365d (52w); 0d is 0 days.'],
    ['stats 3m', '\\"3m\\" is not a window: give days or weeks, like 7d, 30d or 12w.'],
    ['stats shop 7d 12w', 'Too many words: give at most a service and a window (like 30d).'],
    ['stats nosuch', 'Unknown service \\"nosuch\\". Known: shop.'],
    ['stats shop staging', 'Give one service and one window: \\"staging\\" is neither a window (7d, 30d, 12w) nor the only service.'],
  ])('"%s": the usage, saying what was wrong', async (typed, problem) => {
    const h = commandHarness();
    const charts = recordCharts(h);
    const reply = await h.invoke('/slipway', typed, DEVELOPER);
    expect(reply.usage).toBe(true);
    expect(reply.visibility).toBe('ephemeral');
    expect(JSON.stringify(reply)).toContain(problem);
    expect(JSON.stringify(reply)).toContain('/slipway stats [service] [window]');
    expect(charts).toHaveLength(0);
  });

  it('with two services, asks which one; and refuses a channel the service does not take commands in', async () => {
    const h = commandHarness(TWO_SERVICES);
    recordCharts(h);
    expect(JSON.stringify(await h.invoke('/slipway', 'stats 7d', DEVELOPER))).toContain('Name a service: shop, billing.');
    const refused = await h.invoke('/slipway', 'stats shop', DEVELOPER, RANDOM_CHANNEL);
    expect(refused.visibility).toBe('ephemeral');
    expect(refused.text).toMatch(/shop/);
  });
});
