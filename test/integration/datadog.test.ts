import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { datadogChecks } from '../../src/adapters/synthetics/datadog-checks.js';
import { FakeDatadog } from '../fakes/fake-datadog.js';

const KEYS = { apiKey: 'dd-api-key-for-tests', appKey: 'dd-app-key-for-tests' };
let datadog: FakeDatadog;

beforeAll(async () => {
  datadog = new FakeDatadog(KEYS, {
    'pas-sss-001': { name: 'checkout flow', behaviour: { outcome: 'passed' } },
    'fai-lll-002': { name: 'login page', behaviour: { outcome: 'failed' } },
    'slo-www-003': { name: 'search', behaviour: { outcome: 'passed', polls: 3 } },
    'nev-eee-004': { name: 'reports', behaviour: { outcome: 'never' } },
  });
  await datadog.start();
});
afterAll(async () => {
  await datadog?.stop();
});
afterEach(() => {
  expect(datadog.problems).toEqual([]);
});

const provider = (keys = KEYS) => datadogChecks({ ...keys, site: 'datadoghq.eu', apiUrl: datadog.url, pollIntervalMs: 50 });
// A bound for the results that do come: generous, as the first call also loads the Datadog client (slow on a loaded machine).
const target = { localUrl: 'http://127.0.0.1:18380', publicUrl: 'https://staging.promo.example.com', timeoutMs: 60_000 };
const check = (publicId: string) => ({ type: 'datadog' as const, publicId });

describe('Datadog Synthetics provider', () => {
  it('triggers CI tests with the keys and startUrl, polls the batch, and reports each test with a link', async () => {
    const results = await provider().run([check('pas-sss-001'), check('fai-lll-002'), check('slo-www-003')], target);

    expect(results).toEqual([
      { name: 'checkout flow', kind: 'datadog', passed: true, durationMs: 1234, detail: 'passed in 1234 ms from aws:eu-central-1', link: 'https://app.datadoghq.eu/synthetics/details/pas-sss-001/result/r-pas-sss-001' },
      { name: 'login page', kind: 'datadog', passed: false, durationMs: 1234, detail: 'failed in 1234 ms from aws:eu-central-1', link: 'https://app.datadoghq.eu/synthetics/details/fai-lll-002/result/r-fai-lll-002' },
      expect.objectContaining({ name: 'search', passed: true }),
    ]);
    const trigger = datadog.triggers().at(-1)!;
    expect(trigger.headers['dd-api-key']).toBe(KEYS.apiKey);
    expect(trigger.headers['dd-application-key']).toBe(KEYS.appKey);
    expect(trigger.body).toEqual({
      tests: [
        { public_id: 'pas-sss-001', startUrl: target.publicUrl },
        { public_id: 'fai-lll-002', startUrl: target.publicUrl },
        { public_id: 'slo-www-003', startUrl: target.publicUrl },
      ],
    });
    expect(datadog.requests.filter((r) => r.path.startsWith('/api/v1/synthetics/ci/batch/')).length).toBeGreaterThanOrEqual(4);
  });

  it('fails a test with no result before the timeout, saying so', async () => {
    const [result] = await provider().run([check('nev-eee-004')], { ...target, timeoutMs: 500 });
    expect(result).toMatchObject({ name: 'reports', passed: false, detail: 'no result within 1 s (timed out)' });
  });

  it('waits out a 429 and goes on', async () => {
    datadog.rateLimitNext(1);
    const [result] = await provider().run([check('pas-sss-001')], target);
    expect(result?.passed).toBe(true);
  });

  it('says the keys are wrong on a 403', async () => {
    const [result] = await provider({ apiKey: 'wrong', appKey: 'wrong' }).run([check('pas-sss-001')], target);
    expect(result).toMatchObject({ passed: false, detail: 'Datadog refused the keys (403): check DD_API_KEY and DD_APP_KEY' });
  });

  it('says which test id Datadog does not know', async () => {
    const [result] = await provider().run([check('unk-now-999')], target);
    expect(result?.passed).toBe(false);
    expect(result?.detail).toBe('Datadog does not know test unk-now-999 (404: Synthetics tests not found: unk-now-999): check publicId in slipway.yml');
  });

  it('says when Datadog cannot be reached', async () => {
    const down = datadogChecks({ ...KEYS, site: 'datadoghq.com', apiUrl: 'http://127.0.0.1:9', pollIntervalMs: 50 });
    const [result] = await down.run([check('pas-sss-001')], target);
    expect(result?.detail).toMatch(/^cannot reach Datadog: /);
  });
});
