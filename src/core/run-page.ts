import type { Run } from './run.js';
import { stageSeconds } from './run.js';
import { formatSeconds } from './messages/run-message.js';

/** Escapes text for HTML: every value on the page comes from outside (commit messages, logs, branch names). */
export function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:960px;color:#1d2433}
h1{font-size:1.3rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.passed{color:#18794e}.failed{color:#c62a2f}.running{color:#0b63c5}.skipped,.pending{color:#7a7f8a}
pre{background:#f5f6f8;padding:.6rem;overflow:auto;max-height:30rem;font-size:12px}code{font-size:12px}`;

/** The run page: what ran, how long it took, what came of it, and every stage's log. No script, no build. */
export function runPage(run: Run, logs: Readonly<Record<string, readonly string[]>>, serviceUrl?: string): string {
  const stages = run.stages
    .map((s) => {
      const seconds = stageSeconds(s);
      return `<tr><td>${html(s.name)}</td><td class="${s.status}">${s.status}</td><td>${seconds === undefined ? '' : formatSeconds(seconds)}</td><td>${html(s.summary ?? '')}${(s.details ?? []).map((d) => `<br>${html(d)}`).join('')}</td></tr>`;
    })
    .join('\n');
  const commits = run.commits.map((c) => `<li><code>${html(c.sha.slice(0, 7))}</code> ${html(c.message.split('\n')[0] ?? '')} — ${html(c.author.name)}</li>`).join('\n');
  const release = run.release
    ? `<p>Release <code>${html(run.release.image)}:${html(run.release.tag)}</code> <code>${html(run.release.digest)}</code>${run.release.reused ? ' (reused)' : ''}</p>`
    : '';
  const logSections = run.stages
    .filter((s) => (logs[s.name]?.length ?? 0) > 0)
    .map((s) => `<details${s.status === 'failed' ? ' open' : ''}><summary>${html(s.name)} log (${logs[s.name]?.length} lines)</summary><pre>${html(logs[s.name]?.join('\n') ?? '')}</pre></details>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${html(run.service)} ${html(run.branch)} ${html(run.sha.slice(0, 7))} — ${run.status}</title>
<meta name="robots" content="noindex"><style>${STYLE}</style></head>
<body>
<h1>${html(run.service)} <code>${html(run.branch)}</code> @ <code>${html(run.sha.slice(0, 7))}</code> — <span class="${run.status === 'passed' ? 'passed' : run.status === 'failed' ? 'failed' : 'running'}">${run.status}</span></h1>
${serviceUrl ? `<p><a id="service-page" href="${html(serviceUrl)}">How delivery of ${html(run.service)} is going</a></p>\n` : ''}<p>Run <code>${html(run.id)}</code> · ${html(run.trigger)} by ${html(run.triggeredBy.name)} · change by ${html(run.author.name)} · started ${html(run.createdAt)}</p>
${run.failure ? `<p class="failed">Failed at <b>${html(run.failure.stage)}</b>: ${html(run.failure.cause)}</p>` : ''}
${release}
<table><thead><tr><th>stage</th><th>status</th><th>took</th><th>result</th></tr></thead><tbody>
${stages}
</tbody></table>
${commits ? `<h2>Commits</h2><ul>${commits}</ul>` : ''}
<h2>Logs</h2>
${logSections || '<p>No output yet.</p>'}
</body></html>`;
}
