import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, loadEnv, parseConfig } from '../../../src/config.js';
import { serviceList } from '../../../src/core/config-schema.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

describe('the README examples', () => {
  it('has examples to check', () => {
    expect(yamlBlocks.length).toBeGreaterThanOrEqual(2);
  });

  it.each(yamlBlocks.map((text, i) => [i, text] as const))('example %i loads', (_i, text) => {
    const config = parseConfig(text, 'README.md');
    expect(serviceList(config).length).toBeGreaterThan(0);
  });

  it('the complete example fills in defaults', () => {
    const discounts = parseConfig(yamlBlocks[0] ?? '').services.discounts;
    expect(discounts?.coverageThreshold).toBe(80);
    expect(discounts?.ephemeral?.ports).toEqual({ from: 9000, to: 9099 });
    expect(discounts?.environments[1]).toMatchObject({ name: 'production', requireApproval: true, healthPath: '/healthz' });
  });

  it('a service without branches deploys main to staging', () => {
    expect(parseConfig(yamlBlocks[1] ?? '').services.hello?.branches).toEqual([{ match: 'main', deploy: 'staging' }]);
  });
});

const base = `
services:
  discounts:
    repo: acme/discounts
    image: 127.0.0.1:5000/discounts
    network: host
    channel: "#discounts"
    environments:
      - { name: staging, port: 8080 }
`;

function problems(text: string): string {
  try {
    parseConfig(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('broken configs', () => {
  it.each([
    ['a misspelt key', base.replace('image:', 'imgae:'), ['services.discounts: unknown key "imgae"', 'services.discounts.image: Invalid input: expected string, received undefined']],
    ['a port of the wrong type', base.replace('port: 8080', 'port: "eighty"'), ['services.discounts.environments[0].port: Invalid input: expected number, received string']],
    ['a port out of range', base.replace('port: 8080', 'port: 70000'), ['services.discounts.environments[0].port: expected a port from 1 to 65535']],
    ['a route to a missing environment', base.replace('    environments:', '    branches: [{ match: main, deploy: prod }]\n    environments:'), ['services.discounts.branches[0].deploy: expected "ephemeral" or one of the service\'s environments (staging), got "prod"']],
    ['ephemeral routes without an ephemeral section', base.replace('    environments:', '    branches: [{ match: "dev/*", deploy: ephemeral }]\n    environments:'), ['services.discounts.branches[0].deploy: deploys to ephemeral environments, but the service has no "ephemeral" section']],
    ['a bad service name', base.replace('discounts:', 'Discounts_2:'), ['services.Discounts_2: expected a service name of lower-case letters']],
    ['an approval nobody may give', base.replace('port: 8080 }', 'port: 8080, requireApproval: true }'), ['services.discounts.environments[0].approvers: requireApproval is on but nobody may approve']],
    ['a coverage report with no test target', base.replace('    environments:', '    reports: { coverage: { path: /c/lcov.info, format: lcov } }\n    environments:'), ['services.discounts.reports.coverage: needs testTarget']],
    ['an unknown coverage format', base.replace('    environments:', '    testTarget: test\n    reports: { coverage: { path: /c, format: clover } }\n    environments:'), ['services.discounts.reports.coverage.format: Invalid option: expected one of "lcov"|"cobertura"|"istanbul"']],
    ['an unknown synthetics type', base.replace('port: 8080 }', 'port: 8080, synthetics: [{ type: selenium }] }'), ['services.discounts.environments[0].synthetics[0].type']],
    ['two environments on one port', base.replace('      - { name: staging, port: 8080 }', '      - { name: staging, port: 8080 }\n      - { name: production, port: 8080 }'), ['services.discounts.environments[1].port: port 8080 is already used by staging']],
    ['a bad port range', base.replace('    environments:', '    ephemeral: { ports: 9100-9000 }\n    environments:'), ['services.discounts.ephemeral.ports: expected a range of ports from 1 to 65535, low-high']],
  ])('%s', (_name, text, expected) => {
    const message = problems(text);
    for (const line of expected) expect(message).toContain(line);
  });

  it('lists every problem in one message', () => {
    const message = problems(base.replace('image:', 'imgae:').replace('port: 8080', 'port: -1').replace('"#discounts"', 'discounts'));
    expect(message).toMatch(/^slipway.yml has 4 problems:/);
    expect(message.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(4);
  });

  it('reports YAML syntax errors with a line number', () => {
    expect(problems('services:\n  discounts: [unclosed\n')).toMatch(/slipway.yml is not valid YAML:\n {2}- .*line \d+/);
  });

  it('an empty file means no services', () => {
    expect(parseConfig('').services).toEqual({});
  });
});

describe('loadConfigFile', () => {
  it('treats a missing default file as no services, and a missing named file as an error', async () => {
    expect((await loadConfigFile('/nonexistent/slipway.yml')).services).toEqual({});
    await expect(loadConfigFile('/nonexistent/slipway.yml', { required: true })).rejects.toThrow(/cannot read the config file \/nonexistent\/slipway.yml/);
  });
});

describe('loadEnv', () => {
  it('applies the defaults of the contract', () => {
    expect(loadEnv({})).toMatchObject({ PORT: 3000, SLIPWAY_CONFIG: './slipway.yml', LOG_LEVEL: 'info' });
  });

  it('treats empty values as unset', () => {
    const env = loadEnv({ PORT: '', REDIS_URL: '' });
    expect(env.PORT).toBe(3000);
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('names every bad variable and what was expected', () => {
    const attempt = () =>
      loadEnv({ PORT: 'http', REDIS_URL: 'localhost:6379', SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_API_URL: 'not a url' });
    expect(attempt).toThrow(/PORT: expected a port number/);
    expect(attempt).toThrow(/REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(attempt).toThrow(/SLACK_BOT_TOKEN: expected a bot token starting with xoxb-/);
    expect(attempt).toThrow(/SLACK_API_URL: expected an http\(s\) URL/);
  });

  it('needs the signing secret with a bot token', () => {
    expect(() => loadEnv({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN/);
  });
});
