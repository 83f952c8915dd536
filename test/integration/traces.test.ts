import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDatadog } from '../fakes/fake-datadog.js';
import { stageStatus, until } from '../helpers/run-watch.js';
import { SIGNER_CHANNELS, sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

// The test's own tracer provider, installed through OpenTelemetry's API as an SDK set up by the operator would
// be: slipway's modules are the real ones, and their spans (server and workers run in this process) land here.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeAll(() => provider.register());
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const DD = { apiKey: 'dd-api-key-traces', appKey: 'dd-app-key-traces' };
const datadog = new FakeDatadog(DD, { 'trc-smk-001': { name: 'staging smoke', behaviour: { outcome: 'passed', polls: 1 } } });
beforeAll(() => datadog.start());
afterAll(() => datadog.stop());

const STAGING = 27110;
const PRODUCTION = 27112;
const BOB = 'U0BOB';
const stack = useSlackStack({
  config: (repoUrl) =>
    sampleConfig({
      // A service and content of its own: its containers and build cache are not another file's.
      service: 'traced',
      repoUrl,
      tests: true,
      image: 'slipway-e2e-traces',
      ...SIGNER_CHANNELS,
      staging: { port: STAGING, syntheticsTimeoutSeconds: 60, synthetics: [{ type: 'datadog', publicId: 'trc-smk-001', name: 'staging smoke' }] },
      production: { port: PRODUCTION, approvers: { users: [BOB] } },
    }),
  prepare: (repo) => repo.commit({ 'www/version': 'traced\n' }, 'A version of the traces test'),
  env: () => ({ DD_API_KEY: DD.apiKey, DD_APP_KEY: DD.appKey, DD_SITE: 'datadoghq.eu', DATADOG_API_URL: datadog.url }),
});

const named = (spans: readonly ReadableSpan[], name: string) => {
  const found = spans.filter((s) => s.name === name);
  if (found.length === 0) throw new Error(`no span "${name}" among: ${[...new Set(spans.map((s) => s.name))].join(', ')}`);
  return found;
};
const parentOf = (span: ReadableSpan, spans: readonly ReadableSpan[]) => spans.find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId);
/** The span's ancestors, nearest first. */
const ancestry = (span: ReadableSpan, spans: readonly ReadableSpan[]): string[] => {
  const names: string[] = [];
  for (let at = parentOf(span, spans); at; at = parentOf(at, spans)) names.push(at.name);
  return names;
};

describe('the trace of a run', () => {
  it('follows a push from the webhook request through every stage and outside call, past its approval, in one trace', async () => {
    const { runId } = await stack.repo.push('main');
    expect(runId).toBeDefined();
    await stack.watch.settled(runId!, { status: 'waiting' });
    // The approval comes later, by another request: the run's second job joins the run's trace all the same.
    await stack.users.click('approve_promotion', await stack.watch.approveValue(runId!, 'production'), BOB);
    const run = await stack.watch.settled(runId!, { status: 'passed' });
    expect(stageStatus(run)).toMatchObject({ checkout: 'passed', test: 'passed', build: 'passed', push: 'passed', 'deploy:staging': 'passed', 'synthetics:staging': 'passed', 'approval:production': 'passed', 'deploy:production': 'passed' });
    // The attempt's span ends after the run is saved (its checkout removed): wait for it, and for Slack's last post.
    const attemptsEnded = () => exporter.getFinishedSpans().filter((s) => s.name === 'process runs' && s.attributes['slipway.run_id'] === runId).length === 2;
    await until(async () => (attemptsEnded() ? true : undefined), 'the spans of both of the run\'s jobs to end');
    expect(run.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const traceId = run.traceparent!.split('-')[1]!;
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);

    // The request: slipway's handling of the webhook, a server span with HTTP's attributes; it starts the trace.
    const [request] = named(spans, 'POST /webhooks/:host');
    expect(request!.kind).toBe(SpanKind.SERVER);
    expect(request!.parentSpanContext).toBeUndefined();
    expect(request!.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/webhooks/:host', 'url.path': '/webhooks/gogs', 'http.response.status_code': 202 });

    // The run: queued under the request, worked under what queued it (another process could have).
    const [send] = named(spans, 'send runs');
    expect(send!.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(send!, spans)).toBe(request);
    expect(send!.spanContext().spanId).toBe(run.traceparent!.split('-')[2]);
    expect(send!.attributes).toMatchObject({ 'slipway.run_id': runId, 'slipway.service': 'traced', 'messaging.destination.name': 'runs' });
    const attempts = named(spans, 'process runs').sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    expect(attempts).toHaveLength(2);
    for (const attempt of attempts) {
      expect(attempt.kind).toBe(SpanKind.CONSUMER);
      expect(parentOf(attempt, spans)).toBe(send);
    }

    // A span per stage (the approval gate parks the run: no stage runs there), under the job that ran it, with
    // the run's attributes and how it ended.
    const afterApproval = run.stages.findIndex((s) => s.name === 'approval:production');
    for (const [index, stage] of run.stages.entries()) {
      if (index === afterApproval) continue;
      const [span] = named(spans, `stage ${stage.name}`);
      expect(parentOf(span!, spans), stage.name).toBe(attempts[index < afterApproval ? 0 : 1]);
      expect(span!.attributes).toMatchObject({ 'slipway.run_id': runId, 'slipway.service': 'traced', 'slipway.stage': stage.name, 'slipway.stage.status': 'passed' });
    }

    // Outside calls, each a client span of the stage that made it.
    const calls: [string, string][] = [
      ['git fetch', 'stage checkout'],
      ['docker build', 'stage test'],
      ['docker push', 'stage push'],
      ['docker place', 'stage deploy:staging'],
      ['datadog run', 'stage synthetics:staging'],
      ['docker place', 'stage deploy:production'],
    ];
    for (const [call, stage] of calls) {
      const made = named(spans, call).filter((s) => parentOf(s, spans)?.name === stage);
      expect(made.length, `${call} under ${stage}`).toBeGreaterThan(0);
      expect(made[0]!.kind).toBe(SpanKind.CLIENT);
    }
    // The release builds beside the tests: both builds are calls of the test stage, the build stage only takes it.
    expect(named(spans, 'docker build').map((s) => parentOf(s, spans)?.name)).toEqual(['stage test', 'stage test']);
    // The push stage sends the release and its build cache beside it, each a span naming the image and registry.
    const pushes = named(spans, 'docker push').filter((s) => parentOf(s, spans)?.name === 'stage push');
    expect(pushes.map((s) => s.attributes['container.image.tags']).sort()).toEqual([[run.release!.tag], [`${run.release!.tag}-cache`]]);
    for (const push of pushes) expect(push.attributes).toMatchObject({ 'server.address': '127.0.0.1:5000', 'container.image.name': '127.0.0.1:5000/slipway-e2e-traces' });
    // Slack: the run's message and its updates, from the notifications worker, in the same trace.
    const slack = named(spans, 'slack chat.postMessage');
    expect(ancestry(slack[0]!, spans)).toEqual(['process notifications', 'send runs', 'POST /webhooks/gogs'.replace('gogs', ':host')]);
    expect(named(spans, 'slack chat.update').length).toBeGreaterThan(0);
    expect(named(spans, 'process notifications')[0]!.attributes).toMatchObject({ 'slipway.run_id': runId, 'messaging.destination.name': 'notifications' });

    // The click that approved it is a request of its own (Slack sends no trace context): its approval links to
    // the run's trace.
    const approvals = exporter.getFinishedSpans().filter((s) => s.name === 'approve production');
    expect(approvals).toHaveLength(1);
    expect(approvals[0]!.links.map((l) => l.context.spanId)).toEqual([send!.spanContext().spanId]);
    expect(approvals[0]!.spanContext().traceId).not.toBe(traceId);
    expect(approvals[0]!.attributes).toMatchObject({ 'slipway.run_id': runId, 'slipway.stage': 'approval:production' });
    const clickTrace = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === approvals[0]!.spanContext().traceId);
    expect(ancestry(approvals[0]!, clickTrace)).toEqual(['POST /slack/events']);

    // Every span of the run's work is in this one trace: none of its stages or calls went to another (the
    // approval, in its click's trace, links to it).
    const elsewhere = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId !== traceId && s.attributes['slipway.run_id'] === runId && s !== approvals[0]);
    expect(elsewhere.map((s) => s.name)).toEqual([]);
  }, 300_000);

  it('starts the trace of a run asked for by /deploy at the Slack request', async () => {
    const answer = await stack.users.command('/deploy', 'main', 'U0ANN', 'deploys');
    const runId = /Started run `([^`]+)`/.exec(String(answer.json?.text))?.[1];
    if (!runId) throw new Error(`/deploy main started no run: ${JSON.stringify(answer.json)}`);
    const run = await stack.watch.settled(runId, { status: 'waiting' });
    await until(async () => (exporter.getFinishedSpans().some((s) => s.name === 'process runs' && s.attributes['slipway.run_id'] === runId) ? true : undefined), 'the span of the run\'s job to end');

    const traceId = run.traceparent!.split('-')[1]!;
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const [request] = named(spans, 'POST /slack/events');
    expect(request!.kind).toBe(SpanKind.SERVER);
    expect(request!.parentSpanContext).toBeUndefined();
    expect(request!.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/slack/events', 'http.response.status_code': 200 });
    const [send] = named(spans, 'send runs');
    expect(parentOf(send!, spans)).toBe(request);
    const [attempt] = named(spans, 'process runs');
    expect(parentOf(attempt!, spans)).toBe(send);
    expect(parentOf(named(spans, 'stage deploy:staging')[0]!, spans)).toBe(attempt);
  }, 300_000);
});