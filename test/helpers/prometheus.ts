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
  const text = await res.text();
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
  };
}
