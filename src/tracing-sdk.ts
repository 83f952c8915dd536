import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** Spans exported over OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT); `flush` sends what is left and stops. */
export type Tracing = { flush(): Promise<void> };

/**
 * The SDK, loaded only when traces are exported (src/tracing.ts): a provider for the whole process (W3C trace
 * context, async context across awaits), batching spans to OTLP/HTTP. `service.name` is `slipway` unless
 * OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise.
 */
export function startTracingSdk(version: string): Tracing {
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'slipway', 'service.version': version }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  provider.register();
  return { flush: () => provider.shutdown() };
}
