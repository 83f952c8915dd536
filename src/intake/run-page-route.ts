import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LogStore, RunStore } from '../core/ports.js';
import { html, runPage } from '../core/run-page.js';
import type { RunLinks } from '../core/run-links.js';
import { replyHtml } from './http-reply.js';

/** `GET /runs/:id?sig=…`: the run page, for holders of a signed link only. */
export function runPageRoute(deps: { runs: RunStore; logs: LogStore; links: RunLinks }) {
  return async (_req: IncomingMessage, res: ServerResponse, runId: string, signature: string | null): Promise<void> => {
    if (!deps.links.verify(runId, signature)) {
      replyHtml(res, 403, '<!doctype html><title>Not allowed</title><p>This link is not valid. Open the run from its message in Slack.</p>');
      return;
    }
    const run = await deps.runs.get(runId);
    if (!run) {
      replyHtml(res, 404, `<!doctype html><title>No such run</title><p>There is no run ${html(runId)} (runs are kept 30 days).</p>`);
      return;
    }
    const logs = Object.fromEntries(await Promise.all(run.stages.map(async (s) => [s.name, await deps.logs.read(run.id, s.name)] as const)));
    replyHtml(res, 200, runPage(run, logs, deps.links.serviceUrl(run.service)));
  };
}
