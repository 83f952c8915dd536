import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
type Family = { name: string; type: string };
const parse = require('parse-prometheus-text-format') as (text: string) => Family[];

/**
 * Scrapes `/metrics`. The text goes through a Prometheus text-format parser, which throws on anything a
 * Prometheus server would refuse; values are read from the series lines themselves (that parser flattens
 * labelled histograms).
 */
export async function scrape(baseUrl: string) {
  const res = await fetch(`${baseUrl}/metrics`);
  if (!res.headers.get('content-type')?.startsWith('text/plain')) throw new Error(`unexpected content type ${res.headers.get('content-type')}`);
  return parseMetrics(await res.text());
}

/** Prometheus text, parsed: its families, the values of its series and the label names of a family. */
export function parseMetrics(text: string) {
  const families = parse(text);
  const series = text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a series line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
  return {
    families,
    /** The sum of the series of `name` whose labels include `labels`; 0 when there is none. */
    value(name: string, labels: Record<string, string> = {}): number {
      return series
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
    },
    /** The label names the series of family `name` carry (a histogram's `_bucket`, `_sum`, `_count` included). */
    labels(name: string): Set<string> {
      const ofFamily = (s: string) => s === name || (/_(bucket|sum|count)$/.test(s) && s.replace(/_(bucket|sum|count)$/, '') === name);
      return new Set(series.filter((s) => ofFamily(s.name!)).flatMap((s) => Object.keys(s.labels)));
    },
    /** The label values of each series of `name`. */
    series(name: string): Record<string, string>[] {
      return series.filter((s) => s.name === name).map((s) => s.labels as Record<string, string>);
    },
  };
}

export type Scrape = ReturnType<typeof parseMetrics>;
