import type { v1 } from '@datadog/datadog-api-client';
import type { SyntheticCheck } from '../../core/config-schema.js';
import type { CheckResult, SyntheticsProvider } from '../../core/synthetics.js';

type DatadogCheck = Extract<SyntheticCheck, { type: 'datadog' }>;

export type DatadogOptions = {
  apiKey: string;
  appKey: string;
  /** `datadoghq.com`, `datadoghq.eu`, …: where results are linked, and the API unless `apiUrl` says otherwise. */
  site: string;
  apiUrl?: string;
  pollIntervalMs?: number;
};

const DONE = new Set(['passed', 'failed', 'skipped']);

/**
 * Datadog Synthetics as CI tests: triggers the configured public ids with `startUrl` pointed at the
 * environment, then polls the batch until every result is in or the timeout passes (a test with no result
 * by then fails, saying so). 429 and 5xx answers are retried by the client itself.
 */
export function datadogChecks(options: DatadogOptions): SyntheticsProvider {
  // The client is loaded on first use: it costs ~140 MiB of memory, which only a worker running Datadog
  // checks needs.
  let loaded: Promise<{ api: v1.SyntheticsApi; ApiException: new (...args: never[]) => { code: number; body: unknown } }> | undefined;
  const datadog = () =>
    (loaded ??= import('@datadog/datadog-api-client').then(({ client, v1: api }) => {
      const configuration = client.createConfiguration({
        authMethods: { apiKeyAuth: options.apiKey, appKeyAuth: options.appKey },
        ...(options.apiUrl ? { baseServer: new client.BaseServerConfiguration(options.apiUrl.replace(/\/$/, ''), {}) } : {}),
        enableRetry: true,
        maxRetries: 4,
      });
      if (!options.apiUrl) configuration.setServerVariables({ site: options.site });
      return { api: new api.SyntheticsApi(configuration), ApiException: client.ApiException };
    }));

  return {
    kind: 'datadog',
    async run(checks, target) {
      const tests = checks.filter((c): c is DatadogCheck => c.type === 'datadog');
      if (tests.length === 0) return [];
      const started = Date.now();
      // Poll often enough to notice the end of a short batch, rarely enough not to be rate limited.
      const pollIntervalMs = options.pollIntervalMs ?? Math.min(5_000, Math.max(100, target.timeoutMs / 10));
      const { api, ApiException } = await datadog();
      const explain = (error: unknown) => explainError(error, tests, ApiException);
      let batchId: string | undefined;
      try {
        const triggered = await api.triggerCITests({ body: { tests: tests.map((t) => ({ publicId: t.publicId, startUrl: target.publicUrl })) } });
        batchId = triggered.batchId;
      } catch (error) {
        return tests.map((t) => failed(t, 0, explain(error)));
      }
      if (!batchId) return tests.map((t) => failed(t, 0, 'Datadog answered without a batch id'));

      const deadline = started + target.timeoutMs;
      let results: v1.SyntheticsBatchResult[] = [];
      while (Date.now() < deadline) {
        try {
          const batch = await api.getSyntheticsCIBatch({ batchId });
          results = batch.data?.results ?? [];
          const finished = tests.every((t) => results.some((r) => r.testPublicId === t.publicId && DONE.has(String(r.status))));
          if (finished) break;
        } catch (error) {
          return tests.map((t) => failed(t, Date.now() - started, explain(error)));
        }
        await new Promise((r) => setTimeout(r, Math.min(pollIntervalMs, Math.max(0, deadline - Date.now()))));
      }

      return tests.map((test): CheckResult => {
        const result = results.find((r) => r.testPublicId === test.publicId);
        const name = test.name ?? result?.testName ?? test.publicId;
        const link = result?.resultId ? `https://app.${options.site}/synthetics/details/${test.publicId}/result/${result.resultId}` : undefined;
        if (!result || !DONE.has(String(result.status))) {
          return { ...failed(test, Date.now() - started, `no result within ${Math.round(target.timeoutMs / 1000)} s (timed out)`), name, link };
        }
        const durationMs = Math.round(result.duration ?? 0);
        const passed = result.status !== 'failed';
        return { name, kind: 'datadog', passed, durationMs, detail: `${result.status} in ${durationMs} ms${result.location ? ` from ${result.location}` : ''}`, link };
      });
    },
  };
}

function failed(test: DatadogCheck, durationMs: number, detail: string): CheckResult {
  return { name: test.name ?? test.publicId, kind: 'datadog', passed: false, durationMs, detail };
}

/** Datadog's errors as what to do about them. */
function explainError(error: unknown, tests: readonly DatadogCheck[], ApiException: new (...args: never[]) => { code: number; body: unknown }): string {
  if (error instanceof ApiException) {
    const code = error.code;
    const body = datadogErrors(error.body);
    if (code === 401 || code === 403) return `Datadog refused the keys (${code}): check DD_API_KEY and DD_APP_KEY`;
    if (code === 404 || code === 400) return `Datadog does not know test ${tests.map((t) => t.publicId).join(', ')} (${code}: ${body}): check publicId in slipway.yml`;
    if (code === 429) return 'Datadog kept answering 429 (rate limited) after retries';
    if (code >= 500) return `Datadog failed (${code}) after retries`;
    return `Datadog answered ${code}: ${body}`;
  }
  return `cannot reach Datadog: ${(error as Error).message}`;
}

/** Datadog's `errors` list, also when the client wrapped a status it does not model ("Unknown API Status Code!"). */
function datadogErrors(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const errors = /"errors"\s*:\s*(\[[^\]]*\])/.exec(text.replace(/\\"/g, '"'))?.[1];
  if (errors) {
    try {
      return (JSON.parse(errors) as unknown[]).map(String).join('; ').slice(0, 200);
    } catch {
      // fall through to the raw text
    }
  }
  return text.split('\n')[0]?.slice(0, 200) ?? '';
}
