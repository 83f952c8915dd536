import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueFigures } from './adapters/redis/queue-figures.js';
import type { DeliveryStats } from './core/delivery-stats.js';

/** The delivery figures of every service and environment over the last 30 days, read at scrape time. */
export type DeliveryFigures = () => Promise<readonly DeliveryStats[]>;

/** Every queue's depth and oldest waiting job, read at scrape time. */
export type QueueReader = () => Promise<readonly QueueFigures[]>;

/** What the gauges read at scrape time, and how long a scrape waits for Redis before it answers without them. */
export type ScrapeReads = { queues?: QueueReader; delivery?: DeliveryFigures; timeoutMs?: number };

/** One scrape reads the figures once for the four gauges; a scrape within this long of the last reuses them. */
const DELIVERY_FRESH_MS = 15_000;
/** The two queue gauges of one scrape share one read; the next scrape reads again. */
const QUEUES_FRESH_MS = 0;
/** Well under Prometheus's default scrape timeout (10 s): a slow Redis costs its gauges, not the scrape. */
const READ_TIMEOUT_MS = 3_000;

/** From a second (a checkout) to tens of minutes (a build and a slow rollout). */
const STAGE_BUCKETS = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** A whole run: from seconds (a skipped push) to an hour, waits at approval gates beyond that. */
const RUN_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200];

/**
 * A read shared by the gauges of one scrape (a settled read is reused for `freshMs`, a pending one while it
 * lasts), bounded by a timeout. A failed or late read gives nothing (those gauges have no samples) and is not
 * kept: the next scrape reads again.
 */
function sharedRead<T>(read: () => Promise<readonly T[]>, freshMs: number, timeoutMs: number): () => Promise<readonly T[]> {
  let last: { at: number; value: Promise<readonly T[]>; settled: boolean } | undefined;
  return () => {
    if (!last || (last.settled && Date.now() - last.at > freshMs)) {
      const current = { at: Date.now(), value: read(), settled: false };
      current.value.then(
        () => {
          current.settled = true;
          current.at = Date.now();
        },
        () => (last === current ? (last = undefined) : undefined),
      );
      last = current;
    }
    const current = last;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<readonly T[]>((resolve) => {
      timer = setTimeout(() => {
        if (last === current) last = undefined;
        resolve([]);
      }, timeoutMs);
      timer.unref();
    });
    return Promise.race([current.value.catch(() => []), late]).finally(() => clearTimeout(timer));
  };
}

const DELIVERY_GAUGES: readonly [name: string, help: string, value: (s: DeliveryStats) => number | undefined][] = [
  [
    'slipway_deployments_per_second',
    'Succeeded changes a second over the last 30 days (rollbacks excluded), by service and environment; × 86400 for a day',
    (s) => (s.deploymentsPerDay === undefined ? undefined : s.deploymentsPerDay / 86_400),
  ],
  ['slipway_lead_time_seconds', 'Median seconds from commit to deployment over the last 30 days', (s) => s.leadTime?.medianSeconds],
  ['slipway_change_failure_ratio', 'Failed changes (failed, rolled back, needed a fix) over all changes, last 30 days', (s) => s.changeFailureRatio],
  ['slipway_time_to_restore_seconds', 'Median seconds from a failed change to the next good deployment, last 30 days', (s) => s.timeToRestore?.medianSeconds],
];

function deliveryGauges(registry: Registry, figures: DeliveryFigures | undefined, timeoutMs: number): Gauge[] {
  const read = figures ? sharedRead(figures, DELIVERY_FRESH_MS, timeoutMs) : undefined;
  return DELIVERY_GAUGES.map(
    ([name, help, value]) =>
      new Gauge({
        name,
        help,
        labelNames: ['service', 'environment'],
        registers: [registry],
        async collect() {
          if (!read) return;
          const stats = await read();
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

function queueGauges(registry: Registry, queues: QueueReader | undefined, timeoutMs: number) {
  const read = queues ? sharedRead(queues, QUEUES_FRESH_MS, timeoutMs) : undefined;
  return {
    depth: new Gauge({
      name: 'slipway_queue_jobs',
      help: 'Jobs in each BullMQ queue by state (waiting, prioritized, delayed, active, failed), read at scrape time',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        if (!read) return;
        const figures = await read();
        this.reset();
        for (const { queue, jobs } of figures) for (const [state, count] of Object.entries(jobs)) this.set({ queue, state }, count);
      },
    }),
    oldestWaiting: new Gauge({
      name: 'slipway_queue_oldest_waiting_job_age_seconds',
      help: 'Seconds the oldest waiting job of each queue has waited for a worker; 0 when none waits',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        if (!read) return;
        const figures = await read();
        this.reset();
        for (const { queue, oldestWaitingSeconds } of figures) this.set({ queue }, oldestWaitingSeconds ?? 0);
      },
    }),
  };
}

/**
 * slipway's Prometheus metrics, one registry per process: a server counts webhooks and commands, a worker
 * counts runs and times stages. Every process answers `/metrics`; scrape them all. Node's own process metrics
 * keep their standard names (`process_*`, `nodejs_*`); slipway's are `slipway_*`.
 */
export function createMetrics(reads: ScrapeReads = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const timeoutMs = reads.timeoutMs ?? READ_TIMEOUT_MS;
  return {
    registry,
    runs: new Counter({ name: 'slipway_runs_total', help: 'Runs that ended, by outcome', labelNames: ['service', 'outcome'], registers: [registry] }),
    runSeconds: new Histogram({
      name: 'slipway_run_duration_seconds',
      help: 'Seconds from a run being queued to its end (waits at approval gates included), by service, environment and outcome',
      labelNames: ['service', 'environment', 'outcome'],
      buckets: RUN_BUCKETS,
      registers: [registry],
    }),
    stageSeconds: new Histogram({
      name: 'slipway_stage_duration_seconds',
      help: 'How long stages took, by kind, result, service and environment',
      labelNames: ['stage', 'status', 'service', 'environment'],
      buckets: STAGE_BUCKETS,
      registers: [registry],
    }),
    webhooks: new Counter({ name: 'slipway_webhooks_total', help: 'Webhook deliveries by host and answer', labelNames: ['host', 'result'], registers: [registry] }),
    commands: new Counter({ name: 'slipway_commands_total', help: 'Slash commands by name and result', labelNames: ['command', 'result'], registers: [registry] }),
    slackErrors: new Counter({ name: 'slipway_slack_api_errors_total', help: 'Slack Web API calls that failed (before retries succeeded or gave up)', labelNames: ['kind'], registers: [registry] }),
    delivery: deliveryGauges(registry, reads.delivery, timeoutMs),
    queues: queueGauges(registry, reads.queues, timeoutMs),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
