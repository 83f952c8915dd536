import type { Scrape } from './prometheus.js';

const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
/** Units Prometheus says not to use: time in seconds, sizes in bytes, fractions as ratios. */
const NOT_BASE_UNITS = /_(milliseconds|millis|ms|microseconds|minutes|hours|days|per_day|per_minute|per_hour|kilobytes|megabytes|gigabytes|kb|mb|percent|percentage)(_|$)/;
/** Node's default metrics from prom-client, under their standard names. */
const STANDARD = /^(process|nodejs)_/;

/**
 * Every way `families` break the naming rules of slipway's `/metrics` (Prometheus's naming practices):
 * slipway's own are `slipway_*`, Node's are `process_*`/`nodejs_*` unprefixed and nothing else is there; counters
 * end in `_total` and nothing else does; histograms and summaries end in their unit (`_seconds`, `_bytes`);
 * base units only; a time is in `_seconds`, a fraction is a `_ratio`; names and labels are snake_case.
 */
export function namingProblems({ families, labels }: Pick<Scrape, 'families' | 'labels'>): string[] {
  const problems: string[] = [];
  for (const { name, type } of families) {
    const kind = type.toLowerCase();
    const own = name.startsWith('slipway_');
    if (!own && !STANDARD.test(name)) problems.push(`${name}: neither slipway_* nor a standard process_*/nodejs_* name`);
    if (!own) continue;
    if (!SNAKE.test(name)) problems.push(`${name}: not snake_case`);
    if (kind === 'counter' && !name.endsWith('_total')) problems.push(`${name}: a counter not ending in _total`);
    if (kind !== 'counter' && name.endsWith('_total')) problems.push(`${name}: a ${kind} ending in _total`);
    if ((kind === 'histogram' || kind === 'summary') && !/_(seconds|bytes)$/.test(name)) problems.push(`${name}: a ${kind} without its unit (_seconds, _bytes)`);
    if (NOT_BASE_UNITS.test(name)) problems.push(`${name}: not in base units`);
    if (/(duration|latency|_time|_age|_elapsed)(_|$)/.test(name) && !/_seconds(_total)?$/.test(name)) problems.push(`${name}: a time not in _seconds`);
    if (/(rate|fraction|proportion)(_|$)/.test(name) && !/_(ratio|per_second)$/.test(name)) problems.push(`${name}: a fraction not named _ratio`);
    for (const label of labels(name)) {
      if (!SNAKE.test(label)) problems.push(`${name}: label ${label} not snake_case`);
    }
  }
  return problems;
}
