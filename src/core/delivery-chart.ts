import type { DeliveryStats } from './delivery-stats.js';
import type { ChartSpec } from './ports.js';
import { formatDuration, percent } from './messages/stats-message.js';

const WIDTH = 640;
const HEIGHT = 150;
const GOOD = '#2e7d4f';
const FAILED = '#c62a2f';

/** One line under an environment's chart: its four figures. */
export function figuresLine(s: DeliveryStats): string {
  const lead = s.leadTime ? formatDuration(s.leadTime.medianSeconds) : '—';
  const cfr = s.changeFailureRatio === undefined ? '—' : percent(s.changeFailureRatio);
  const restore = s.timeToRestore ? formatDuration(s.timeToRestore.medianSeconds) : '—';
  return `${s.deploymentsPerDay.toFixed(2)}/day · lead time ${lead} · change failure ${cfr} · time to restore ${restore}`;
}

/**
 * Deployments per day of each environment, good and failed changes stacked, one panel per environment with
 * its figures as the subtitle. A Vega specification: data only, drawn by the ChartRenderer.
 */
export function deliveryChart(service: string, stats: readonly DeliveryStats[]): ChartSpec {
  const panels = stats.map((s, index) => panel(s, index));
  const label = stats[0]?.window.label ?? '';
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    background: 'white',
    padding: 16,
    title: { text: `${service}: deployments per day, last ${label}`, anchor: 'start', fontSize: 16, offset: 12 },
    layout: { columns: 1, padding: 36 },
    legends: [],
    scales: [{ name: 'kind', type: 'ordinal', domain: ['good', 'failed'], range: [GOOD, FAILED] }],
    marks: panels,
    ...(panels.length > 0 ? {} : { width: WIDTH, height: 40 }),
  };
}

function panel(s: DeliveryStats, index: number): Record<string, unknown> {
  const rows = s.daily.flatMap((d) => [
    { day: d.day, kind: 'good', count: d.good },
    { day: d.day, kind: 'failed', count: d.failed },
  ]);
  const data = `daily${index}`;
  const peak = Math.max(1, ...s.daily.map((d) => d.good + d.failed));
  // A label every few days, so a 90-day window stays readable.
  const every = Math.max(1, Math.ceil(s.daily.length / 12));
  const labels = s.daily.filter((_, i) => i % every === 0).map((d) => d.day);
  return {
    type: 'group',
    name: `environment-${s.environment}`,
    encode: { update: { width: { value: WIDTH }, height: { value: HEIGHT } } },
    title: { text: s.environment, subtitle: figuresLine(s), anchor: 'start', fontSize: 14, subtitleFontSize: 12, offset: 8 },
    data: [
      {
        name: data,
        values: rows,
        transform: [{ type: 'stack', groupby: ['day'], sort: { field: 'kind', order: 'descending' }, field: 'count' }],
      },
    ],
    scales: [
      { name: 'x', type: 'band', domain: s.daily.map((d) => d.day), range: [0, WIDTH], padding: 0.15 },
      { name: 'y', type: 'linear', domain: [0, peak], range: [HEIGHT, 0], nice: true, zero: true },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', values: labels, labelAngle: -40, labelAlign: 'right', labelFontSize: 10 },
      { orient: 'left', scale: 'y', tickMinStep: 1, title: 'deployments', grid: true, labelFontSize: 10 },
    ],
    marks: [
      {
        type: 'rect',
        from: { data },
        encode: {
          enter: {
            x: { scale: 'x', field: 'day' },
            width: { scale: 'x', band: 1 },
            y: { scale: 'y', field: 'y0' },
            y2: { scale: 'y', field: 'y1' },
            fill: { scale: 'kind', field: 'kind' },
          },
        },
      },
    ],
  };
}
