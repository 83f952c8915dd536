import { describe, expect, it } from 'vitest';
import { runtimePrint } from '../../../src/core/runtime-print.js';
import { Runtime } from '../../../src/core/target-schema.js';

const KEY = Buffer.from('unit-test-signing-key-0123456789');
const runtime = Runtime.parse({ env: { LOG_LEVEL: 'info', REGION: 'eu' }, memory: '256MB' });
const spec = { runtime, port: 18080, network: 'host' as const, strategy: 'recreate' as const };
const secrets = { DB_PASSWORD: 'hunter2' };

describe('runtimePrint', () => {
  it('is the same for the same settings, whatever order the config listed them in', () => {
    const reordered = { ...spec, runtime: { ...runtime, env: { REGION: 'eu', LOG_LEVEL: 'info' } } };
    expect(runtimePrint(KEY, reordered, secrets)).toBe(runtimePrint(KEY, spec, secrets));
  });

  it.each([
    ['an env value', { ...spec, runtime: { ...spec.runtime, env: { ...spec.runtime.env, LOG_LEVEL: 'debug' } } }, secrets],
    ['the port', { ...spec, port: 18081 }, secrets],
    ['the network', { ...spec, network: 'bridge' as const }, secrets],
    ['a secret’s value', spec, { DB_PASSWORD: 'hunter3' }],
  ])('changes with %s', (_what, changed, changedSecrets) => {
    expect(runtimePrint(KEY, changed, changedSecrets)).not.toBe(runtimePrint(KEY, spec, secrets));
  });

  it('says nothing of a secret without the key: another key gives another print, and the value is not in it', () => {
    const print = runtimePrint(KEY, spec, secrets);
    expect(runtimePrint(Buffer.from('another-key-of-thirty-two-bytes!'), spec, secrets)).not.toBe(print);
    expect(print).toMatch(/^[0-9a-f]{32}$/);
  });
});
