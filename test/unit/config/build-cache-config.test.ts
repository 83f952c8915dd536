import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';

const service = (extra: string) => `
services:
  discounts:
    repo: acme/discounts
    image: 127.0.0.1:5000/discounts
    channel: "#discounts"
${extra}    environments:
      - { name: staging, port: 8080 }
`;

describe('buildCache in slipway.yml', () => {
  it('is on unless the service turns it off', () => {
    expect(parseConfig(service('')).services.discounts?.buildCache).toBe(true);
    expect(parseConfig(service('    buildCache: false\n')).services.discounts?.buildCache).toBe(false);
  });

  it('names the key and what it takes when it is not a boolean', () => {
    expect(() => parseConfig(service('    buildCache: sometimes\n'))).toThrow('services.discounts.buildCache: expected true or false');
  });
});
