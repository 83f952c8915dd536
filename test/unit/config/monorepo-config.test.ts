import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';

const service = (name: string, extra: string) => `
  ${name}:
    repo: acme/shop
    image: 127.0.0.1:5000/${name}
    channel: "#shop"
    environments: [{ name: staging, port: 1 }]
${extra}`;

describe('slipway.yml for services sharing a repository', () => {
  it('takes paths globs', () => {
    const config = parseConfig(`services:${service('api', '    paths: ["services/api/**", "libs/**"]')}${service('web', '    paths: ["services/web/**"]')}`);
    expect(config.services.api?.paths).toEqual(['services/api/**', 'libs/**']);
  });

  it.each([
    ['an empty list', '    paths: []', /paths: expected at least one glob/],
    ['an absolute path', '    paths: ["/services/api/**"]', /relative to the repository root/],
    ['a glob too long', `    paths: ["${'a'.repeat(300)}"]`, /longer than 256 characters/],
    ['too many globs', `    paths: [${Array.from({ length: 101 }, (_, i) => `"d${i}/**"`).join(', ')}]`, /at most 100 globs/],
  ])('refuses %s', (_name, extra, message) => {
    expect(() => parseConfig(`services:${service('api', extra)}`)).toThrow(message);
  });

  it('refuses two services of one repository with different webhook secrets', () => {
    const text = `services:${service('api', '    webhookSecretEnv: API_SECRET')}${service('web', '')}`;
    expect(() => parseConfig(text)).toThrow(/web is built from the same repository as api, whose webhooks are signed with API_SECRET/);
  });
});
