import type { Tracing } from './tracing-sdk.js';

export type { Tracing };

/** Whether this environment asks for traces. */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  return !!(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) && env.OTEL_SDK_DISABLED !== 'true';
}

/**
 * Starts OpenTelemetry's SDK when the environment asks for traces; otherwise loads nothing (src/core/tracing.ts
 * then goes through the API's no-op tracer). The exporter reads the standard OTEL_* variables itself.
 */
export async function startTracing(env: NodeJS.ProcessEnv, version: string): Promise<Tracing | undefined> {
  if (!tracingWanted(env)) return undefined;
  const { startTracingSdk } = await import('./tracing-sdk.js');
  return startTracingSdk(version);
}
