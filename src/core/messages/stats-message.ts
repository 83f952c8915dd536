import type { DeliveryStats } from '../delivery-stats.js';
import { context, escapeMrkdwn, type Message, section } from './blocks.js';
import { fitLines, LIMITS } from './limits.js';

/** `2d 4h`, `3h 20m`, `12m`, `40s`: the two largest units. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const units: [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || parts.length > 0) parts.push(`${n}${name}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.filter((p, i) => i === 0 || !p.startsWith('0')).join(' ');
}

export function percent(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}

export type FigureTexts = { frequency: string; leadTime: string; changeFailure: string; timeToRestore: string };

/** One environment's four figures, each as a person reads it (plain text). */
export function figureTexts(s: DeliveryStats): FigureTexts {
  const failures = Object.entries(s.failures)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  const lead = s.leadTime
    ? `${formatDuration(s.leadTime.medianSeconds)} median over ${s.leadTime.samples} commit${s.leadTime.samples === 1 ? '' : 's'}`
    : 'no deployed commits';
  const cfr =
    s.changeFailureRatio === undefined ? 'no changes' : `${percent(s.changeFailureRatio)} (${s.failedChanges} of ${s.changes}${failures ? `: ${failures}` : ''})`;
  const restore = s.timeToRestore
    ? `${formatDuration(s.timeToRestore.medianSeconds)} median over ${s.timeToRestore.samples}`
    : s.failedChanges > 0 ? 'not restored yet' : 'nothing to restore';
  const open = s.unrestored > 0 && s.timeToRestore ? `, ${s.unrestored} not restored yet` : '';
  return {
    frequency: `${s.deployments} deployment${s.deployments === 1 ? '' : 's'}, ${s.deploymentsPerDay.toFixed(2)} a day`,
    leadTime: lead,
    changeFailure: cfr,
    timeToRestore: `${restore}${open}`,
  };
}

/** One environment's figures as Slack lines. */
export function statsLines(s: DeliveryStats): string[] {
  const f = figureTexts(s);
  return [
    `*${escapeMrkdwn(s.environment)}*`,
    `• deployment frequency: ${escapeMrkdwn(f.frequency)}`,
    `• lead time, commit to ${escapeMrkdwn(s.environment)}: ${escapeMrkdwn(f.leadTime)}`,
    `• change failure rate: ${escapeMrkdwn(f.changeFailure)}`,
    `• time to restore: ${escapeMrkdwn(f.timeToRestore)}`,
  ];
}

/** `/slipway stats`'s answer: each environment's four figures, and where the chart is. */
export function statsMessage(service: string, stats: readonly DeliveryStats[], options: { chart: 'uploading' | 'none'; pageUrl?: string }): Message {
  const label = stats[0]?.window.label ?? '';
  const header = `*${escapeMrkdwn(service)}*: how delivery went in the last ${label}`;
  const pushTime = stats.reduce((n, s) => n + (s.leadTime?.fromPushTime ?? 0), 0);
  const notes = [
    options.chart === 'uploading' ? 'The chart follows in a moment.' : '',
    options.pageUrl ? `<${options.pageUrl}|Charts on the service page>` : '',
    pushTime > 0 ? `${pushTime} commit${pushTime === 1 ? '' : 's'} from before slipway kept commit times count from when their push arrived.` : '',
    'A change failed when its deployment failed, it was rolled back, its checks failed after it, or a fix followed within a day.',
  ].filter((n) => n !== '');
  const sections = stats.map((s) => section(statsLines(s).join('\n')));
  const text = fitLines(
    [header.replace(/\*/g, ''), ...stats.map((s) => `${s.environment}: ${s.deployments} deployment${s.deployments === 1 ? '' : 's'}, change failure ${s.changeFailureRatio === undefined ? '—' : percent(s.changeFailureRatio)}`)],
    LIMITS.notificationText,
    { what: 'environments', elsewhere: 'not shown' },
  );
  // 50 blocks a message: a header, the notes, and 48 environments at most.
  return { text, blocks: [section(header), ...sections.slice(0, LIMITS.blocksPerMessage - 2), context(notes.join(' '))] };
}
