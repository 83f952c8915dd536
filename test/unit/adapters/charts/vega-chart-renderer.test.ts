import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vegaChartRenderer } from '../../../../src/adapters/charts/vega-chart-renderer.js';
import { deliveryChart } from '../../../../src/core/delivery-chart.js';
import { deliveryStats } from '../../../../src/core/delivery-stats.js';
import type { Deployment, DeploymentOutcome } from '../../../../src/core/ports.js';

const NOW = new Date('2026-12-02T12:00:00Z');
const deploy = (environment: string, hoursAgo: number, digest: string, outcome: DeploymentOutcome = 'succeeded'): Deployment => ({
  service: 'shop',
  environment,
  release: { sha: digest.padEnd(40, '0'), tag: digest, digest: `sha256:${digest}`, image: 'reg/shop' },
  port: 8080,
  runId: `r-${environment}-${hoursAgo}`,
  by: 'ana',
  at: new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString(),
  outcome,
});

const history = ['staging', 'production'].flatMap((e) => [deploy(e, 5, 'c'), deploy(e, 30, 'b', 'failed'), deploy(e, 50, 'b'), deploy(e, 100, 'a')]);
const stats = ['staging', 'production'].map((e) => deliveryStats('shop', e, history, [], { days: 7, label: '7d' }, NOW));
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('vegaChartRenderer', () => {
  const charts = vegaChartRenderer();

  it('draws the delivery chart as SVG: a panel per environment, a bar per change', async () => {
    const svg = await charts.svg(deliveryChart('shop', stats));
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('shop: deployments per day, last 7d');
    expect(svg).toContain('>staging<');
    expect(svg).toContain('>production<');
    // 8 days × 2 kinds × 2 environments: a rect per stacked piece, filled by kind.
    expect(svg.match(/fill="#2e7d4f"/g)?.length).toBeGreaterThanOrEqual(2);
    expect(svg).toContain('fill="#c62a2f"');
  });

  it('draws the same chart as a PNG, with text (fonts found)', async () => {
    const png = await charts.png(deliveryChart('shop', stats));
    expect(png.subarray(0, 8)).toEqual(PNG_MAGIC);
    // Width and height from the IHDR chunk: drawn at twice the SVG's size.
    expect(png.readUInt32BE(16)).toBeGreaterThan(1000);
    expect(png.length).toBeGreaterThan(10_000);
    if (process.env.SLIPWAY_CHART_OUT) writeFileSync(process.env.SLIPWAY_CHART_OUT, png);
  });

  it('draws a service with no environment and no history without failing', async () => {
    expect(await charts.svg(deliveryChart('empty', []))).toMatch(/^<svg/);
    const none = deliveryStats('shop', 'production', [], [], { days: 30, label: '30d' }, NOW);
    expect((await charts.png(deliveryChart('shop', [none]))).subarray(0, 8)).toEqual(PNG_MAGIC);
  });
});
