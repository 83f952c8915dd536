import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { serviceList } from '../../../src/core/config-schema.js';
import {
  checksAfterDeploy, integrationCommand, integrationEnv, integrationImageTag, integrationTargets, isLoopbackUrl,
} from '../../../src/core/integration-tests.js';
import { planStages } from '../../../src/core/stage-plan.js';

/** A service whose staging environment has `tests` (YAML, one line of flow mapping) as its integrationTests. */
function config(tests: string, staging = 'port: 8080, network: host', top = ''): string {
  return `
services:
  shop:
    repo: acme/shop
    image: 127.0.0.1:5000/shop
    channel: "#shop"
    approvers: { users: [U1] }
    ${top}
    environments:
      - { name: staging, ${staging}, integrationTests: ${tests} }
      - { name: production, port: 8081, requireApproval: true, network: host, synthetics: [{ type: http, name: home, path: / }], integrationTests: ${tests} }
`;
}
const service = (tests: string, staging?: string, top?: string) => serviceList(parseConfig(config(tests, staging, top)))[0]!;
const refusal = (tests: string, staging?: string, top?: string) => {
  try {
    parseConfig(config(tests, staging, top));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
};

describe('integrationTests: in slipway.yml', () => {
  it('takes a build target and a command, with defaults for the rest', () => {
    expect(service('{ target: integration, command: "sh /it/run.sh" }').environments[0]?.integrationTests).toEqual({
      target: 'integration', command: 'sh /it/run.sh', env: {}, timeoutSeconds: 600,
    });
  });

  it('takes an image reference, a command list, a JUnit path, variables, a timeout and a network', () => {
    const tests = service('{ image: "127.0.0.1:5000/shop-it:1.2", command: [/it/run, --fast], junit: /reports/junit.xml, env: { LEVEL: smoke }, timeoutSeconds: 90, network: host }')
      .environments[0]?.integrationTests;
    expect(tests).toEqual({ image: '127.0.0.1:5000/shop-it:1.2', command: ['/it/run', '--fast'], junit: '/reports/junit.xml', env: { LEVEL: 'smoke' }, timeoutSeconds: 90, network: 'host' });
  });

  it.each([
    ['neither target nor image', '{ command: run }', /environments\[0\]\.integrationTests.*exactly one of target .* or image/],
    ['both target and image', '{ target: it, image: "r/it:1", command: run }', /exactly one of target .* or image/],
    ['no command', '{ target: it }', /integrationTests\.command/],
    ['an empty command list', '{ target: it, command: [] }', /expected the program and its arguments/],
    ['a relative JUnit path', '{ target: it, command: run, junit: reports/junit.xml }', /expected an absolute path inside the container/],
    ['SLIPWAY_URL among the variables', '{ target: it, command: run, env: { SLIPWAY_URL: x } }', /SLIPWAY_URL is set by slipway/],
    ['a bad image reference', '{ image: "Not An Image", command: run }', /expected an image reference/],
    ['a misspelt key', '{ target: it, command: run, timeout: 5 }', /timeout/],
    ['a zero timeout', '{ target: it, command: run, timeoutSeconds: 0 }', /timeoutSeconds/],
  ])('refuses %s, naming the key', (_, tests, message) => {
    expect(refusal(tests)).toMatch(message);
  });

  it('refuses bridge networking to a loopback url: the container could not reach it', () => {
    expect(refusal('{ target: it, command: run }', 'port: 8080')).toMatch(
      /environments\[0\]\.integrationTests\.network: on the bridge network the tests cannot reach http:\/\/127\.0\.0\.1:8080 \(loopback\): set url to an address the build engine's containers reach, or network: host/,
    );
    expect(refusal('{ target: it, command: run, network: bridge }', 'port: 8080, network: host')).toMatch(/cannot reach http:\/\/127\.0\.0\.1:8080 \(loopback\)/);
  });

  it('takes bridge networking to an environment reached by its url', () => {
    expect(service('{ target: it, command: run }', 'port: 8080, url: "https://staging.shop.example.com"').environments[0]?.integrationTests?.target).toBe('it');
  });
});

describe('integrationTests of ephemeral environments (one per branch)', () => {
  const ephemeral = (lines: string) => `branches: [{ match: "dev/*", deploy: ephemeral }, { match: main, deploy: staging }]
    ephemeral: { ports: 9000-9099, ${lines} }`;

  it('runs after the branch’s deploy, before its synthetics', () => {
    const branchy = service('{ target: it, command: run }', undefined, ephemeral('network: host, integrationTests: { target: it-branch, command: run }, synthetics: [{ type: http, name: home, path: / }]'));
    const stages = planStages(branchy, { environment: 'shop-1a2b3c4d', ephemeral: true });
    expect(stages.slice(-3)).toEqual(['deploy:shop-1a2b3c4d', 'integration:shop-1a2b3c4d', 'synthetics:shop-1a2b3c4d']);
    expect(integrationTargets(branchy, stages)).toEqual(['it-branch']);
  });

  it('refuses the bridge network on slipway’s own engine, where a branch answers on loopback only', () => {
    expect(refusal('{ target: it, command: run }', undefined, ephemeral('integrationTests: { target: it, command: run, network: bridge }'))).toMatch(
      /ephemeral\.integrationTests\.network: on the bridge network the tests cannot reach/,
    );
  });
});

describe('the integration stage in the stage plan', () => {
  it('comes after each deploy, before the synthetics', () => {
    expect(planStages(service('{ target: it, command: run }'), { environment: 'staging', ephemeral: false })).toEqual([
      'checkout', 'build', 'push', 'deploy:staging', 'integration:staging',
      'approval:production', 'deploy:production', 'integration:production', 'synthetics:production',
    ]);
  });

  it('is not planned where no environment has integration tests', () => {
    const plain = serviceList(parseConfig(config('null').replaceAll(', integrationTests: null', '')))[0]!;
    expect(planStages(plain, { environment: 'staging', ephemeral: false }).some((s) => s.startsWith('integration:'))).toBe(false);
  });

  it('builds each Dockerfile target once per run, and none for an image', () => {
    const stages = planStages(service('{ target: it, command: run }'), { environment: 'staging', ephemeral: false });
    expect(integrationTargets(service('{ target: it, command: run }'), stages)).toEqual(['it']);
    expect(integrationTargets(service('{ image: "r/it:1", command: run }'), stages)).toEqual([]);
    // A run that does not reach production builds only what staging needs (here the same target).
    expect(integrationTargets(service('{ target: it, command: run }'), ['deploy:staging'])).toEqual([]);
  });

  it('leaves the last check of an environment to keep the release', () => {
    const stages = ['deploy:staging', 'integration:staging', 'deploy:production', 'integration:production', 'synthetics:production'].map((name) => ({ name }));
    expect(checksAfterDeploy(stages, 'staging')).toEqual(['integration:staging']);
    expect(checksAfterDeploy(stages, 'production')).toEqual(['integration:production', 'synthetics:production']);
    expect(checksAfterDeploy([{ name: 'deploy:qa' }], 'qa')).toEqual([]);
  });
});

describe('the container the stage runs', () => {
  it('runs a string command with sh -c and a list as given', () => {
    expect(integrationCommand({ command: 'wget -qO- "$SLIPWAY_URL/healthz"' })).toEqual(['sh', '-c', 'wget -qO- "$SLIPWAY_URL/healthz"']);
    expect(integrationCommand({ command: ['/it/run', '-v'] })).toEqual(['/it/run', '-v']);
  });

  it('gets the environment’s URL as SLIPWAY_URL beside its own variables', () => {
    expect(integrationEnv({ env: { LEVEL: 'smoke' } }, 'https://staging.example.com')).toEqual({ LEVEL: 'smoke', SLIPWAY_URL: 'https://staging.example.com' });
  });

  it('tags the built target per run, locally', () => {
    expect(integrationImageTag({ service: 'shop', id: 'shop-k3m9x2pq' }, 'integration')).toBe('slipway-it/shop:shop-k3m9x2pq-integration');
    expect(integrationImageTag({ service: 'shop', id: 'shop-k3m9x2pq' }, 'it/api tests')).toBe('slipway-it/shop:shop-k3m9x2pq-it-api-tests');
    expect(integrationImageTag({ service: 'shop', id: 'shop-k3m9x2pq' }, 'x'.repeat(200)).split(':')[1]).toHaveLength(128);
  });

  it.each([
    ['http://127.0.0.1:8080', true],
    ['http://localhost:8080', true],
    ['http://[::1]:8080', true],
    ['https://staging.example.com', false],
    ['http://10.0.0.5:8080', false],
  ])('%s is loopback: %s', (url, loopback) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
  });
});
