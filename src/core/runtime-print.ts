import { createHmac } from 'node:crypto';
import type { EnvironmentSpec } from './environment-spec.js';

/**
 * What a release runs with besides its image — the environment's runtime settings, where it listens and its
 * secrets' values — as one keyed hash. Put on what a target runs, it tells a redeploy of the same digest with
 * the same settings ("already live": nothing to replace) from one after a setting or a secret changed. Keyed
 * with slipway's signing key, so the label says nothing about a secret to whoever can read it.
 */
export function runtimePrint(key: Buffer, spec: Pick<EnvironmentSpec, 'runtime' | 'port' | 'network' | 'strategy'>, secrets: Record<string, string>): string {
  const settings = { runtime: spec.runtime, port: spec.port, network: spec.network, strategy: spec.strategy, secrets };
  return createHmac('sha256', key).update(canonical(settings)).digest('hex').slice(0, 32);
}

/** JSON with object keys sorted, so equal settings give equal text whatever order the config had them in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
