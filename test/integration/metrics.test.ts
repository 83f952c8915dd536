import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type JobType, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULLMQ_PREFIX } from '../../src/adapters/redis/bull-queues.js';
import { GATES_QUEUE, NOTIFICATIONS_QUEUE, RUNS_QUEUE } from '../../src/core/jobs.js';
import { namingProblems } from '../helpers/metric-names.js';
import { type Scrape, scrape } from '../helpers/prometheus.js';
import { rawRedis } from '../helpers/raw-redis.js';
import { served, until } from '../helpers/run-watch.js';
import { SIGNER_CHANNELS, sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';
import { DISCOUNTS_REPO, SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';

const STAGING = 27200;
const PRODUCTION = 27201;
const BOB = 'U0BOB';
const STATES: JobType[] = ['waiting', 'prioritized', 'delayed', 'active', 'failed'];

const stack = useSlackStack({
  config: (repoUrl) =>
    sampleConfig({
      // A name of its own: containers are named by service and environment, and files run side by side.
      service: 'gauges',
      repoUrl,
      image: 'slipway-metrics',
      ...SIGNER_CHANNELS,
      branches: [{ match: 'main', deploy: 'staging' }],
      staging: STAGING,
      production: { port: PRODUCTION, approvers: { users: [BOB] } },
    }),
});

const family = (metrics: Scrape, name: string) => metrics.families.find((f) => f.name === name);

/** Every metric a PromQL query of the dashboard names, with the labels its selectors name. */
function namedMetrics(query: string): { name: string; labels: string[] }[] {
  return [...query.matchAll(/\b((?:slipway|process|nodejs)_[a-z0-9_]+)(\{([^}]*)\})?/g)].map((m) => ({
    name: m[1]!,
    labels: [...(m[3] ?? '').matchAll(/([a-z_]+)\s*(=~|!~|!=|=)/g)].map((l) => l[1]!),
  }));
}

/** The queries of every panel and template variable of a Grafana dashboard. */
function dashboardQueries(dashboard: any): string[] {
  const panels = (list: any[]): any[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
  const exprs = panels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t: any) => String(t.expr)));
  const variables = dashboard.templating.list.filter((v: any) => v.type === 'query').map((v: any) => String(v.query?.query ?? v.query));
  return [...exprs, ...variables];
}

describe('/metrics after a real run', { timeout: 300_000 }, () => {
  let metrics: Scrape;
  let runId: string;

  beforeAll(async () => {
    runId = await stack.repo.pushVersion('m1');
    expect((await stack.watch.settled(runId)).status).toBe('waiting');
    await stack.users.click('approve_promotion', await stack.watch.approveValue(runId, 'production'), BOB);
    await stack.watch.settled(runId, { status: 'passed' });
    expect(await served(PRODUCTION)).toBe('m1');
    metrics = await scrape(stack.slipway.url);
  }, 300_000);

  it('has Node process metrics under their standard names, and every slipway metric named by the rules', () => {
    const names = metrics.families.map((f) => f.name);
    for (const standard of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(names).toContain(standard);
    }
    expect(names.filter((n) => /^slipway_(process|nodejs)_/.test(n))).toEqual([]);
    expect(names.filter((n) => n.startsWith('slipway_')).length).toBeGreaterThanOrEqual(12);
    expect(namingProblems(metrics)).toEqual([]);
  });

  it('times the run and its stages by service and environment', async () => {
    const run = (await stack.slipway.runs.get(runId))!;
    const seconds = (Date.parse(run.updatedAt) - Date.parse(run.createdAt)) / 1000;
    const runLabels = { service: 'gauges', environment: 'staging', outcome: 'passed' };
    expect(metrics.value('slipway_run_duration_seconds_count', runLabels)).toBe(1);
    // Timed when the run ended; a later change of the run (its deployment recorded) only moves updatedAt on.
    expect(metrics.value('slipway_run_duration_seconds_sum', runLabels)).toBeGreaterThan(0);
    expect(metrics.value('slipway_run_duration_seconds_sum', runLabels)).toBeLessThanOrEqual(seconds + 0.001);
    expect(metrics.value('slipway_run_duration_seconds_bucket', { ...runLabels, le: '+Inf' })).toBe(1);
    expect(metrics.labels('slipway_run_duration_seconds')).toEqual(new Set(['service', 'environment', 'outcome', 'le']));

    expect(metrics.labels('slipway_stage_duration_seconds')).toEqual(new Set(['stage', 'status', 'service', 'environment', 'le']));
    const stage = (stageKind: string, environment: string) => metrics.value('slipway_stage_duration_seconds_count', { stage: stageKind, status: 'passed', service: 'gauges', environment });
    expect(stage('build', 'staging')).toBe(1);
    expect(stage('deploy', 'staging')).toBe(1);
    expect(stage('deploy', 'production')).toBe(1);
    // Every stage that ended is timed once, under the environment it belongs to.
    const ended = run.stages.filter((s) => s.status === 'passed' && !s.name.startsWith('approval:')).length;
    expect(metrics.value('slipway_stage_duration_seconds_count', { service: 'gauges' })).toBeGreaterThanOrEqual(ended);
    expect(metrics.value('slipway_runs_total', { service: 'gauges', outcome: 'passed' })).toBe(1);
  });

  it('shows every queue by state, and the age of its oldest waiting job', () => {
    for (const queue of [RUNS_QUEUE, GATES_QUEUE, NOTIFICATIONS_QUEUE]) {
      const states = metrics.series('slipway_queue_jobs').filter((l) => l.queue === queue).map((l) => l.state);
      expect(new Set(states)).toEqual(new Set(STATES));
      expect(metrics.series('slipway_queue_oldest_waiting_job_age_seconds').some((l) => l.queue === queue)).toBe(true);
    }
  });

  it('names in the Grafana dashboard only metrics and labels a real scrape has', async () => {
    const dashboard = JSON.parse(await readFile(new URL('../../examples/grafana-dashboard.json', import.meta.url), 'utf8'));
    // A Prometheus data source chosen by a variable, never a uid of someone's Grafana.
    const sources: unknown[] = [];
    JSON.stringify(dashboard, (key, value: unknown) => (key === 'datasource' && sources.push(value), value));
    expect(sources.length).toBeGreaterThan(10);
    for (const source of sources) expect(source).toEqual({ type: 'prometheus', uid: '${datasource}' });
    expect(dashboard.templating.list.find((v: any) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });

    const named = dashboardQueries(dashboard).flatMap(namedMetrics);
    expect(named.length).toBeGreaterThan(15);
    const missing: string[] = [];
    for (const { name, labels } of named) {
      const histogram = /_(bucket|count|sum)$/.test(name) ? family(metrics, name.replace(/_(bucket|count|sum)$/, '')) : undefined;
      const f = family(metrics, name) ?? (histogram?.type.toLowerCase() === 'histogram' ? histogram : undefined);
      if (!f) missing.push(name);
      // `job` and `instance` are Prometheus's own, added at scrape.
      // Labels are checked where the scrape has series (a figure with no sample yet, like a restore time, has none).
      const has = f && metrics.labels(f.name);
      if (has?.size) for (const label of labels.filter((l) => l !== 'job' && l !== 'instance')) if (!has.has(label)) missing.push(`${name}{${label}}`);
    }
    expect(missing).toEqual([]);
    for (const wanted of ['slipway_runs_total', 'slipway_run_duration_seconds_bucket', 'slipway_stage_duration_seconds_bucket', 'slipway_queue_jobs', 'slipway_queue_oldest_waiting_job_age_seconds', 'slipway_webhooks_total', 'slipway_commands_total', 'process_cpu_seconds_total', 'process_resident_memory_bytes']) {
      expect(named.map((n) => n.name)).toContain(wanted);
    }
  });
});

describe('queue gauges of a server whose runs wait for a worker', () => {
  let server: TestSlipway;
  beforeAll(async () => {
    server = await startTestSlipway({ mode: 'server' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const push = async () => {
    const body = JSON.stringify(pushPayload('github', { repoUrl: DISCOUNTS_REPO, after: randomUUID().replace(/-/g, '').padEnd(40, 'a').slice(0, 40) }));
    const res = await fetch(`${server.url}/webhooks/github`, { method: 'POST', body, headers: deliveryHeaders('github', body, SECRETS.GITHUB_WEBHOOK_SECRET) });
    expect(res.status).toBe(202);
  };

  it('matches what BullMQ counts, and ages the oldest waiting job from when it was queued', async () => {
    await push();
    await push();
    const [oldest] = await server.queue.getWaiting(0, 0);
    expect(oldest).toBeDefined();
    const before = Date.now();
    const metrics = await scrape(server.url);
    const after = Date.now();

    const queues = [RUNS_QUEUE, GATES_QUEUE].map((name) => new Queue(name, { connection: server.redis, prefix: BULLMQ_PREFIX }));
    try {
      for (const queue of queues) {
        const counts = await queue.getJobCounts(...STATES);
        for (const state of STATES) expect(metrics.value('slipway_queue_jobs', { queue: queue.name, state }), `${queue.name} ${state}`).toBe(counts[state]);
      }
    } finally {
      await Promise.all(queues.map((q) => q.close()));
    }
    expect(metrics.value('slipway_queue_jobs', { queue: RUNS_QUEUE, state: 'waiting' })).toBe(2);
    const age = metrics.value('slipway_queue_oldest_waiting_job_age_seconds', { queue: RUNS_QUEUE });
    expect(age).toBeGreaterThanOrEqual((before - oldest!.timestamp) / 1000 - 0.001);
    expect(age).toBeLessThanOrEqual((after - oldest!.timestamp) / 1000 + 0.001);
    expect(metrics.value('slipway_queue_oldest_waiting_job_age_seconds', { queue: GATES_QUEUE })).toBe(0);
  });

  it('answers a scrape while Redis does not answer, without the queue gauges, and with them again after', async () => {
    const redisUrl = new URL(server.redisServer.url);
    const auth = [`AUTH ${decodeURIComponent(redisUrl.password)}`];
    // Long enough that a scrape waiting for Redis would come back with the queue gauges; the read gives up after 3 s.
    expect(await rawRedis(Number(redisUrl.port), [...auth, 'CLIENT PAUSE 20000 ALL'])).toEqual(['+OK', '+OK']);
    const paused = await scrape(server.url);
    expect(paused.families.some((f) => f.name === 'process_resident_memory_bytes')).toBe(true);
    expect(paused.value('slipway_queue_jobs', { queue: RUNS_QUEUE, state: 'waiting' })).toBe(0);
    expect(paused.series('slipway_queue_jobs')).toEqual([]);

    await rawRedis(Number(redisUrl.port), [...auth, 'CLIENT UNPAUSE']);
    const back = await until(async () => {
      const m = await scrape(server.url);
      return m.value('slipway_queue_jobs', { queue: RUNS_QUEUE, state: 'waiting' }) > 0 ? m : undefined;
    }, 'the queue gauges after Redis answers again', 60_000);
    expect(back.value('slipway_queue_jobs', { queue: RUNS_QUEUE, state: 'waiting' })).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
