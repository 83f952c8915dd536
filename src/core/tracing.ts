import {
  type Attributes, type Context, context, type Link, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace,
} from '@opentelemetry/api';

/**
 * slipway's spans, through OpenTelemetry's API only. Without a tracer provider (OTEL_EXPORTER_OTLP_ENDPOINT
 * unset: src/tracing.ts loads no SDK) every call here is the API's no-op, and no traceparent is made.
 * Attribute names follow OpenTelemetry's semantic conventions where one applies, `slipway.*` otherwise.
 */
export const TRACER_NAME = 'slipway';

export { SpanKind, SpanStatusCode };

export const ATTR = {
  runId: 'slipway.run_id',
  service: 'slipway.service',
  stage: 'slipway.stage',
  stageStatus: 'slipway.stage.status',
  httpMethod: 'http.request.method',
  httpRoute: 'http.route',
  httpStatus: 'http.response.status_code',
  urlPath: 'url.path',
  urlScheme: 'url.scheme',
  errorType: 'error.type',
  messagingSystem: 'messaging.system',
  messagingDestination: 'messaging.destination.name',
  messagingOperation: 'messaging.operation.type',
  peerService: 'peer.service',
  serverAddress: 'server.address',
  imageName: 'container.image.name',
  imageTags: 'container.image.tags',
} as const;

/** What a push or tag of `image` names: the image, its tag, and the registry it goes to. */
export function imageAttributes(image: unknown, tag: unknown, registryOf: (image: string) => string): Attributes {
  if (typeof image !== 'string') return {};
  return { [ATTR.imageName]: image, [ATTR.serverAddress]: registryOf(image), ...(typeof tag === 'string' && { [ATTR.imageTags]: [tag] }) };
}

const tracer = () => trace.getTracer(TRACER_NAME);

export type SpanOptions = {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  parent?: Context;
  /** A throw that is not a failure (BullMQ's DelayedError: the job comes back later). */
  notFailure?(error: unknown): boolean;
};

/**
 * Runs `work` in a span that is the active one meanwhile (what it calls joins it), ended when `work` settles;
 * a throw marks the span an error and is thrown on.
 */
export async function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  const { parent = context.active(), notFailure, ...spanOptions } = options;
  return tracer().startActiveSpan(name, spanOptions, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      if (!notFailure?.(error)) failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed by `error`. */
export function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.setAttribute(ATTR.errorType, error instanceof Error ? error.name : 'Error');
}

/** The W3C `traceparent` of the active span, to carry a trace to another process; undefined when nothing traces. */
export function activeTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/**
 * The context a carried `traceparent` (and `tracestate`) names, the root context without one. `carrier`: Node's
 * request headers (named in lower case) or a run's stored traceparent.
 */
export function contextFrom(carrier: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, carrier, {
    keys: (c) => Object.keys(c),
    get: (c, key) => {
      const value = c[key];
      return Array.isArray(value) ? value[0] : value;
    },
  });
}

/** A link to the span a `traceparent` names (a run's trace, from a request about it); none when it names none. */
export function linkTo(traceparent: string | undefined): Link[] {
  if (!traceparent) return [];
  const spanContext = trace.getSpanContext(contextFrom({ traceparent }));
  return spanContext ? [{ context: spanContext }] : [];
}

type TracedOptions = {
  only?: readonly string[];
  attributes?: Attributes;
  /** Attributes of one call, from its operation and arguments (the image a push sends and where to). */
  describe?(operation: string, args: readonly unknown[]): Attributes | undefined;
};

/**
 * The port `object` with its methods (nested ones too: `chat.postMessage`) called in a client span named
 * `<system> <operation>`, a child of the caller's: a call to an outside system. `only` names the operations that
 * are such calls when others are not (`HostReleases.has`); `attributes` go on every span. A method that answers
 * without a promise answers the same way.
 */
export function traced<T extends object>(object: T, system: string, options: TracedOptions = {}, path = ''): T {
  return new Proxy(object, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string') return value;
      const operation = path ? `${path}.${property}` : property;
      if (typeof value === 'function') {
        const method = value as (...a: unknown[]) => unknown;
        if (options.only && !options.only.includes(operation)) return method.bind(target);
        return (...args: unknown[]) =>
          call(`${system} ${operation}`, { [ATTR.peerService]: system, ...options.attributes, ...options.describe?.(operation, args) }, () => method.apply(target, args));
      }
      if (value && typeof value === 'object' && !Array.isArray(value)) return traced(value, system, options, operation);
      return value;
    },
  });
}

/** `work` in an active client span, ended when its promise settles (at once when it answers no promise). */
function call(name: string, attributes: Attributes, work: () => unknown): unknown {
  const span = tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes });
  let result: unknown;
  try {
    result = context.with(trace.setSpan(context.active(), span), work);
  } catch (error) {
    failed(span, error);
    span.end();
    throw error;
  }
  if (!isPromise(result)) {
    span.end();
    return result;
  }
  return result.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      failed(span, error);
      span.end();
      throw error;
    },
  );
}

const isPromise = (value: unknown): value is Promise<unknown> => typeof (value as Promise<unknown> | undefined)?.then === 'function';
