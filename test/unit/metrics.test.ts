import { describe, expect, it } from 'vitest';
import { runEnvironmentLabel, runSeconds, stageEnvironmentLabel } from '../../src/core/metric-labels.js';
import { createMetrics } from '../../src/metrics.js';
import { namingProblems } from '../helpers/metric-names.js';
import { parseMetrics } from '../helpers/prometheus.js';

const never = <T>() => new Promise<T>(() => undefined);

describe('metrics', () => {
  it('names every metric by the rules, Node process metrics unprefixed', async () => {
    const metrics = createMetrics({
      queues: async () => [{ queue: 'runs', jobs: { waiting: 2, prioritized: 0, delayed: 1, active: 1, failed: 0 }, oldestWaitingSeconds: 42 }],
      delivery: async () => [{ service: 's', environment: 'production', deploymentsPerDay: 2, changeFailureRatio: 0.25 } as never],
    });
    metrics.runs.inc({ service: 's', outcome: 'passed' });
    metrics.runSeconds.observe({ service: 's', environment: 'production', outcome: 'passed' }, 90);
    metrics.stageSeconds.observe({ stage: 'build', status: 'passed', service: 's', environment: 'production' }, 12);
    const all = parseMetrics(await metrics.registry.metrics());
    expect(namingProblems(all)).toEqual([]);
    expect(all.labels('slipway_stage_duration_seconds')).toEqual(new Set(['le', 'stage', 'status', 'service', 'environment']));
    const names = all.families.map((f) => f.name);
    expect(names).toContain('process_cpu_seconds_total');
    expect(names).toContain('nodejs_heap_size_used_bytes');
    expect(names.filter((n) => n.startsWith('slipway_process') || n.startsWith('slipway_nodejs'))).toEqual([]);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^slipway_queue_oldest_waiting_job_age_seconds\{queue="runs"\} 42$/m);
    expect(text).toMatch(/^slipway_queue_jobs\{queue="runs",state="delayed"\} 1$/m);
    expect(text).toMatch(/^slipway_deployments_per_second\{service="s",environment="production"\} 0\.0000231/m);
  });

  it('finds names that break the rules', () => {
    const bad = parseMetrics(
      [
        ['slipway_runs', 'counter', 'slipway_runs 1'],
        ['slipway_jobs_total', 'gauge', 'slipway_jobs_total 1'],
        ['slipway_stage_duration', 'histogram', 'slipway_stage_duration_bucket{le="+Inf"} 1\nslipway_stage_duration_sum 1\nslipway_stage_duration_count 1'],
        ['slipway_build_milliseconds', 'gauge', 'slipway_build_milliseconds 1'],
        ['slipway_deployments_per_day', 'gauge', 'slipway_deployments_per_day 1'],
        ['slipway_failure_rate', 'gauge', 'slipway_failure_rate 1'],
        ['slipway_webhooks_total', 'counter', 'slipway_webhooks_total{gitHost="github"} 1'],
        ['go_goroutines', 'gauge', 'go_goroutines 1'],
      ]
        .map(([name, type, lines]) => `# HELP ${name} x\n# TYPE ${name} ${type}\n${lines}\n`)
        .join(''),
    );
    const problems = namingProblems(bad);
    for (const f of bad.families) expect(problems.join('\n')).toContain(f.name);
    expect(problems).toContain('slipway_webhooks_total: label gitHost not snake_case');
  });

  it('answers a scrape without the Redis gauges when Redis does not answer in time, and reads again next time', async () => {
    let answer: () => Promise<never[]> = never;
    const metrics = createMetrics({ queues: () => answer(), delivery: never, timeoutMs: 50 });
    const late = await metrics.registry.metrics();
    expect(late).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(late).not.toMatch(/^slipway_queue_jobs\{/m);
    expect(late).not.toMatch(/^slipway_deployments_per_second\{/m);
    answer = async () => [{ queue: 'runs', jobs: { waiting: 0, prioritized: 0, delayed: 0, active: 0, failed: 3 } } as never];
    const next = await metrics.registry.metrics();
    expect(next).toMatch(/^slipway_queue_jobs\{queue="runs",state="failed"\} 3$/m);
    expect(next).toMatch(/^slipway_queue_oldest_waiting_job_age_seconds\{queue="runs"\} 0$/m);
  });

  it('answers a scrape without the Redis gauges when the read fails', async () => {
    const metrics = createMetrics({ queues: () => Promise.reject(new Error('READONLY')), delivery: () => Promise.reject(new Error('down')) });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^# TYPE slipway_queue_jobs gauge$/m);
    expect(text).not.toMatch(/^slipway_queue_jobs\{/m);
  });
});

describe('metric labels', () => {
  const run = { target: { environment: 'staging', ephemeral: false }, createdAt: '2026-12-02T10:00:00.000Z', updatedAt: '2026-12-02T10:07:30.000Z' };
  const branch = { ...run, target: { environment: 'sample-feature-x', ephemeral: true } };
  it.each([
    [run, 'checkout', 'staging'],
    [run, 'deploy:production', 'production'],
    [run, 'approval:production', 'production'],
    [branch, 'build', 'ephemeral'],
    [branch, 'deploy:sample-feature-x', 'ephemeral'],
  ])('labels a stage with its environment (%#)', (r, stage, environment) => {
    expect(stageEnvironmentLabel(r, stage)).toBe(environment);
  });
  it('labels a run with the environment its branch routes to, one label for every ephemeral one', () => {
    expect(runEnvironmentLabel(run)).toBe('staging');
    expect(runEnvironmentLabel(branch)).toBe('ephemeral');
  });
  it('times a run from its creation to its end', () => {
    expect(runSeconds(run)).toBe(450);
    expect(runSeconds({ createdAt: 'x', updatedAt: run.updatedAt })).toBeUndefined();
  });
});
