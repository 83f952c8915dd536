import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeliveryStats } from './core/delivery-stats.js';

/** The delivery figures of every service and environment over the last 30 days, read at scrape time. */
export type DeliveryFigures = () => Promise<readonly DeliveryStats[]>;

/** One scrape reads the figures once for the four gauges; a scrape within this long of the last reuses them. */
const DELIVERY_FRESH_MS = 15_000;

const DELIVERY_GAUGES: readonly [name: string, help: string, value: (s: DeliveryStats) => number | undefined][] = [
  ['slipway_deployments_per_day', 'Succeeded changes a day over the last 30 days (rollbacks excluded), by service and environment', (s) => s.deploymentsPerDay],
  ['slipway_lead_time_seconds', 'Median seconds from commit to deployment over the last 30 days', (s) => s.leadTime?.medianSeconds],
  ['slipway_change_failure_ratio', 'Failed changes (failed, rolled back, needed a fix) over all changes, last 30 days', (s) => s.changeFailureRatio],
  ['slipway_time_to_restore_seconds', 'Median seconds from a failed change to the next good deployment, last 30 days', (s) => s.timeToRestore?.medianSeconds],
];

function deliveryGauges(registry: Registry, figures: DeliveryFigures | undefined): Gauge[] {
  let last: { at: number; stats: Promise<readonly DeliveryStats[]> } | undefined;
  const read = () => {
    if (!last || Date.now() - last.at > DELIVERY_FRESH_MS) last = { at: Date.now(), stats: figures ? figures() : Promise.resolve([]) };
    const current = last;
    // A failed read is not kept: the next scrape tries again.
    current.stats.catch(() => (last === current ? (last = undefined) : undefined));
    return current.stats;
  };
  return DELIVERY_GAUGES.map(
    ([name, help, value]) =>
      new Gauge({
        name,
        help,
        labelNames: ['service', 'environment'],
        registers: [registry],
        async collect() {
          if (!figures) return;
          // Redis not answering fails only these gauges (no samples), not the whole scrape.
          const stats = await read().catch(() => []);
          this.reset();
          for (const s of stats) {
            const v = value(s);
            // No figure (no change, no failure): no sample, rather than a zero that reads as a measurement.
            if (v !== undefined) this.set({ service: s.service, environment: s.environment }, v);
          }
        },
      }),
  );
}

/**
 * slipway's Prometheus metrics, one registry per process: a server counts webhooks and commands, a worker
 * counts runs and times stages. Every process answers `/metrics`; scrape them all.
 */
export function createMetrics(queueDepth?: () => Promise<Record<string, Record<string, number>>>, delivery?: DeliveryFigures) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'slipway_' });
  return {
    registry,
    runs: new Counter({ name: 'slipway_runs_total', help: 'Runs that ended, by outcome', labelNames: ['service', 'outcome'], registers: [registry] }),
    stageSeconds: new Histogram({
      name: 'slipway_stage_duration_seconds',
      help: 'How long stages took, by kind and result',
      labelNames: ['stage', 'status'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    }),
    webhooks: new Counter({ name: 'slipway_webhooks_total', help: 'Webhook deliveries by host and answer', labelNames: ['host', 'result'], registers: [registry] }),
    commands: new Counter({ name: 'slipway_commands_total', help: 'Slash commands by name and result', labelNames: ['command', 'result'], registers: [registry] }),
    slackErrors: new Counter({ name: 'slipway_slack_api_errors_total', help: 'Slack Web API calls that failed (before retries succeeded or gave up)', labelNames: ['kind'], registers: [registry] }),
    delivery: deliveryGauges(registry, delivery),
    queueDepth: new Gauge({
      name: 'slipway_queue_jobs',
      help: 'Jobs in each queue by state, read at scrape time',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        if (!queueDepth) return;
        this.reset();
        for (const [queue, states] of Object.entries(await queueDepth())) {
          for (const [state, count] of Object.entries(states)) this.set({ queue, state }, count);
        }
      },
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
