import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceConfig } from '../core/config-schema.js';
import { deliveryChart } from '../core/delivery-chart.js';
import { DEFAULT_WINDOW, parseWindow } from '../core/delivery-stats.js';
import type { ChartRenderer, DeploymentStore, Logger, RunStore } from '../core/ports.js';
import { html } from '../core/run-page.js';
import type { RunLinks } from '../core/run-links.js';
import { servicePage } from '../core/service-page.js';
import { deliveryFigures } from '../queue/delivery-figures.js';
import { replyHtml } from './http-reply.js';

export type ServicePageDeps = {
  services: readonly ServiceConfig[];
  deployments: DeploymentStore;
  runs: RunStore;
  links: RunLinks;
  charts: ChartRenderer;
  now(): Date;
  log: Logger;
};

/** `GET /services/:name?sig=…&window=30d`: a service's delivery figures and chart, for holders of a signed link (from a run page). */
export function servicePageRoute(deps: ServicePageDeps) {
  return async (_req: IncomingMessage, res: ServerResponse, name: string, query: URLSearchParams): Promise<void> => {
    const signature = query.get('sig');
    if (!deps.links.verifyService(name, signature)) {
      replyHtml(res, 403, '<!doctype html><title>Not allowed</title><p>This link is not valid. Open the service from a run page linked in Slack.</p>');
      return;
    }
    const service = deps.services.find((s) => s.name === name);
    if (!service) {
      replyHtml(res, 404, `<!doctype html><title>No such service</title><p>slipway has no service ${html(name)} configured.</p>`);
      return;
    }
    const asked = query.get('window');
    const parsed = asked === null ? ({ ok: true, window: DEFAULT_WINDOW } as const) : parseWindow(asked);
    if (!parsed.ok) {
      replyHtml(res, 400, `<!doctype html><title>Bad window</title><p>${html(parsed.error)}</p>`);
      return;
    }
    const stats = await deliveryFigures(deps, service, parsed.window, deps.now());
    const chart = await deps.charts.svg(deliveryChart(service.name, stats)).catch((error: unknown) => {
      deps.log.warn({ err: error, service: service.name }, 'the service page chart could not be drawn');
      return '<p>The chart could not be drawn; slipway\'s log says why.</p>';
    });
    // Relative: the page works behind whatever host and path prefix it was reached through.
    const signed = `?sig=${encodeURIComponent(signature ?? '')}`;
    replyHtml(res, 200, servicePage(service.name, stats, chart, { window: (label) => `${signed}&window=${encodeURIComponent(label)}` }));
  };
}
