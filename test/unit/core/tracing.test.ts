import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activeTraceparent, contextFrom, imageAttributes, inSpan, linkTo, SpanKind, traced } from '../../../src/core/tracing.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

describe('without a tracer provider', () => {
  it('makes no traceparent and still runs the work', async () => {
    const answer = await inSpan('nothing', {}, async () => activeTraceparent());

    expect(answer).toBeUndefined();
  });
});

describe('imageAttributes', () => {
  it('names the image, its tag and the registry it goes to', () => {
    expect(imageAttributes('127.0.0.1:5000/shop', 'main-abc1234', (image) => image.split('/')[0]!)).toEqual({
      'container.image.name': '127.0.0.1:5000/shop',
      'server.address': '127.0.0.1:5000',
      'container.image.tags': ['main-abc1234'],
    });
    expect(imageAttributes(undefined, 'x', () => 'never')).toEqual({});
  });
});

describe('with a tracer provider', () => {
  beforeAll(() => provider.register());
  afterEach(() => exporter.reset());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('carries a trace through a traceparent: the span made under it is its child', async () => {
    const carried = await inSpan('send runs', { kind: SpanKind.PRODUCER }, async () => activeTraceparent());
    expect(carried).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    await inSpan('process runs', { kind: SpanKind.CONSUMER, parent: contextFrom({ traceparent: carried }) }, async () => {});

    const [send, process] = exporter.getFinishedSpans();
    expect(process!.spanContext().traceId).toBe(send!.spanContext().traceId);
    expect(process!.parentSpanContext?.spanId).toBe(send!.spanContext().spanId);
  });

  it('honours a caller\'s traceparent header (Node names headers in lower case)', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await inSpan('POST /webhooks/:host', { parent: contextFrom({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` }) }, async () => {});

    expect(exporter.getFinishedSpans()[0]!.spanContext().traceId).toBe(traceId);
  });

  it('calls a port\'s methods, nested ones too, each in a client span of the caller, errors marked', async () => {
    const port = {
      name: 'engine',
      async build(tag: string) {
        return `built ${tag} by ${this.name}`;
      },
      chat: { postMessage: async (args: { text: string }) => ({ ok: true, text: args.text }) },
      async push() {
        throw new Error('registry said no');
      },
    };
    const wrapped = traced(port, 'docker');

    await inSpan('stage build', {}, async () => {
      expect(await wrapped.build('v1')).toBe('built v1 by engine');
      expect(await wrapped.chat.postMessage({ text: 'hi' })).toEqual({ ok: true, text: 'hi' });
      await expect(wrapped.push()).rejects.toThrow('registry said no');
    });

    const spans = exporter.getFinishedSpans();
    const stage = spans.find((s) => s.name === 'stage build')!;
    const calls = spans.filter((s) => s !== stage);
    expect(calls.map((s) => s.name)).toEqual(['docker build', 'docker chat.postMessage', 'docker push']);
    for (const call of calls) {
      expect(call.kind).toBe(SpanKind.CLIENT);
      expect(call.parentSpanContext?.spanId).toBe(stage.spanContext().spanId);
      expect(call.attributes['peer.service']).toBe('docker');
    }
    expect(calls[2]!.status).toMatchObject({ code: 2, message: 'registry said no' });
    expect(calls[2]!.attributes['error.type']).toBe('Error');
  });

  it('leaves what is not an outside call as it was: untraced, answering without a promise', async () => {
    const releases = { has: (host: string) => host === 'github', tag: async (name: string) => `tagged ${name}`, where: 'gitea' };
    const wrapped = traced(releases, 'git host', { only: ['tag'] });

    expect(wrapped.has('github')).toBe(true);
    expect(wrapped.where).toBe('gitea');
    expect(await wrapped.tag('v1.0.0')).toBe('tagged v1.0.0');

    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['git host tag']);
  });

  it('leaves a span unmarked by a throw that is not a failure (a job handed back for later)', async () => {
    class Later extends Error {}
    await expect(inSpan('process runs', { notFailure: (e) => e instanceof Later }, async () => Promise.reject(new Later('later')))).rejects.toThrow('later');
    await expect(inSpan('stage build', { notFailure: (e) => e instanceof Later }, async () => Promise.reject(new Error('broke')))).rejects.toThrow('broke');

    expect(exporter.getFinishedSpans().map((s) => [s.name, s.status.code])).toEqual([['process runs', 0], ['stage build', 2]]);
  });

  it('links a span to a run\'s trace, and to nothing without one', async () => {
    const runTrace = await inSpan('send runs', {}, async () => activeTraceparent());

    await inSpan('approve production', { links: linkTo(runTrace) }, async () => {});

    const approval = exporter.getFinishedSpans().find((s) => s.name === 'approve production')!;
    expect(approval.links.map((l) => `00-${l.context.traceId}-${l.context.spanId}-01`)).toEqual([runTrace]);
    expect(linkTo(undefined)).toEqual([]);
    expect(linkTo('not a traceparent')).toEqual([]);
  });
});
