import type { DeliveryStats } from './delivery-stats.js';
import { figureTexts } from './messages/stats-message.js';
import { html } from './run-page.js';

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:960px;color:#1d2433}
h1{font-size:1.3rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}
.chart svg{max-width:100%;height:auto}nav a{margin-right:.8rem}`;

const WINDOWS = ['7d', '30d', '12w'];

function cell(text: string | undefined): string {
  return `<td>${html(text ?? '—')}</td>`;
}

/**
 * A service's page: how its delivery went over the window, per environment (the four figures as a table and
 * the chart `/slipway stats` uploads, as inline SVG drawn by slipway). No script.
 */
export function servicePage(service: string, stats: readonly DeliveryStats[], chartSvg: string, links: { window(label: string): string }): string {
  const label = stats[0]?.window.label ?? '';
  const rows = stats
    .map((s) => {
      const f = figureTexts(s);
      return `<tr data-environment="${html(s.environment)}"><th scope="row">${html(s.environment)}</th>${cell(f.frequency)}${cell(f.leadTime)}${cell(f.changeFailure)}${cell(f.timeToRestore)}</tr>`;
    })
    .join('\n');
  const nav = WINDOWS.map((w) => (w === label ? `<b>${w}</b>` : `<a href="${html(links.window(w))}">${w}</a>`)).join(' ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${html(service)} — delivery, last ${html(label)}</title>
<meta name="robots" content="noindex"><style>${STYLE}</style></head>
<body>
<h1>${html(service)}: how delivery is going</h1>
<nav>Window: ${nav}</nav>
<table id="figures"><thead><tr><th>environment</th><th>deployment frequency</th><th>lead time</th><th>change failure rate</th><th>time to restore</th></tr></thead><tbody>
${rows}
</tbody></table>
<figure class="chart" id="chart">${chartSvg}<figcaption>Deployments per day, last ${html(label)}: green changes stayed, red ones failed (the deployment failed, was rolled back, its checks failed, or a fix followed within a day).</figcaption></figure>
</body></html>`;
}
