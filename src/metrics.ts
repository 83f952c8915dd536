import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * slipway's Prometheus metrics, one registry per process: a server counts webhooks and commands, a worker
 * counts runs and times stages. Every process answers `/metrics`; scrape them all.
 */
export function createMetrics(queueDepth?: () => Promise<Record<string, Record<string, number>>>) {
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
