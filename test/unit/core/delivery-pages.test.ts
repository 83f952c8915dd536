import { describe, expect, it } from 'vitest';
import { deliveryChart } from '../../../src/core/delivery-chart.js';
import { deliveryStats, type DeliveryStats } from '../../../src/core/delivery-stats.js';
import { formatDuration, statsMessage } from '../../../src/core/messages/stats-message.js';
import type { Deployment } from '../../../src/core/ports.js';
import { runLinks } from '../../../src/core/run-links.js';
import { runPage } from '../../../src/core/run-page.js';
import { newRun } from '../../../src/core/run.js';
import { servicePage } from '../../../src/core/service-page.js';
import { messageViolations } from '../../helpers/block-kit-limits.js';

const NOW = new Date('2026-12-02T12:00:00Z');
const WINDOW = { days: 30, label: '30d' };
const empty = (environment: string): DeliveryStats => deliveryStats('shop', environment, [], [], WINDOW, NOW);

describe('service page links', () => {
  const links = runLinks('k'.repeat(32), 'https://slipway.example.com/');

  it('signs a service page under its own name: a run\'s signature does not open it, nor another service\'s', () => {
    const url = links.serviceUrl('shop');
    expect(url).toMatch(/^https:\/\/slipway\.example\.com\/services\/shop\?sig=[0-9a-f]{32}$/);
    const sig = new URL(url).searchParams.get('sig');
    expect(links.verifyService('shop', sig)).toBe(true);
    expect(links.verifyService('billing', sig)).toBe(false);
    expect(links.verifyService('shop', null)).toBe(false);
    expect(links.verifyService('shop', 'zz')).toBe(false);
    const runSig = new URL(links.url('shop')).searchParams.get('sig');
    expect(links.verifyService('shop', runSig)).toBe(false);
    expect(links.verify('shop', sig)).toBe(false);
  });

  it('the run page links its service\'s page', () => {
    const run = newRun(
      { id: 'shop-1', service: 'shop', trigger: 'push', branch: 'main', sha: 'a'.repeat(40), author: { name: 'A' }, triggeredBy: { name: 'A' }, commits: [], cloneUrl: 'x', target: { environment: 'staging', ephemeral: false }, stages: ['checkout'] },
      NOW,
    );
    expect(runPage(run, {}, links.serviceUrl('shop'))).toContain(`<a id="service-page" href="${links.serviceUrl('shop')}">How delivery of shop is going</a>`);
    expect(runPage(run, {})).not.toContain('service-page');
  });
});

describe('servicePage', () => {
  it('escapes names, marks the window shown and links the others', () => {
    const page = servicePage('<shop>', [empty('prod"uction')], '<svg></svg>', { window: (w) => `?sig=x&window=${w}` });
    expect(page).toContain('&lt;shop&gt;: how delivery is going');
    expect(page).toContain('data-environment="prod&quot;uction"');
    expect(page).toContain('<b>30d</b>');
    expect(page).toContain('<a href="?sig=x&amp;window=7d">7d</a>');
    expect(page).toContain('<svg></svg>');
  });
});

describe('statsMessage', () => {
  it('stays within Block Kit limits with more environments than a message holds', () => {
    const many = Array.from({ length: 80 }, (_, i) => empty(`env-${i}`));
    const message = statsMessage('shop', many, { chart: 'uploading' });
    expect(messageViolations({ text: message.text, blocks: message.blocks })).toEqual([]);
    expect(message.blocks).toHaveLength(50);
  });

  it('says how many commit times came from the push\'s arrival', () => {
    const deployment: Deployment = { service: 'shop', environment: 'production', release: { sha: 'a'.repeat(40), tag: 't', digest: 'd', image: 'i' }, port: 1, runId: 'r', by: 'x', at: '2026-12-02T10:00:00Z', outcome: 'succeeded' };
    const run = { id: 'r', sha: 'a'.repeat(40), trigger: 'push' as const, createdAt: '2026-12-02T09:00:00Z', commits: [{ sha: 'a'.repeat(40), message: 'm', author: { name: 'A' } }], stages: [] };
    const stats = deliveryStats('shop', 'production', [deployment], [run], WINDOW, NOW);
    expect(JSON.stringify(statsMessage('shop', [stats], { chart: 'none' }).blocks)).toContain('1 commit from before slipway kept commit times count from when their push arrived.');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59.6, '1m'],
    [45, '45s'],
    [3_600, '1h'],
    [3_660, '1h 1m'],
    [86_400 + 7_200, '1d 2h'],
    [86_400 + 60, '1d'],
    [19_800, '5h 30m'],
  ])('%d s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('deliveryChart', () => {
  it('a panel per environment, bars from the daily counts, the figures as subtitles', () => {
    const spec = deliveryChart('shop', [empty('staging'), empty('production')]) as { marks: { name: string; title: { subtitle: string }; data: { values: unknown[] }[] }[] };
    expect(spec.marks.map((m) => m.name)).toEqual(['environment-staging', 'environment-production']);
    expect(spec.marks[0]?.data[0]?.values).toHaveLength(31 * 2);
    expect(spec.marks[1]?.title.subtitle).toBe('0.00/day · lead time — · change failure — · time to restore —');
  });
});
