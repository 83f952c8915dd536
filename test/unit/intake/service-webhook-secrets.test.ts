import { describe, expect, it } from 'vitest';
import { serviceWebhookSecrets } from '../../../src/intake/service-webhook-secrets.js';
import { services, SLIPWAY_YML } from './intake-scene.js';

const withOwnSecret = services(SLIPWAY_YML.replace('    repo: acme/shop\n', '    repo: acme/shop\n    webhookSecretEnv: SHOP_WEBHOOK_SECRET\n'));

describe('serviceWebhookSecrets', () => {
  it('reads each service’s own secret from slipway’s environment, naming its variable and service', () => {
    const secrets = serviceWebhookSecrets(withOwnSecret, { SHOP_WEBHOOK_SECRET: 's3cret', GITHUB_WEBHOOK_SECRET: 'host' });

    expect(secrets).toEqual([{ value: 's3cret', name: 'SHOP_WEBHOOK_SECRET', service: 'shop' }]);
  });

  it('has none for services that use the host-wide secret', () => {
    expect(serviceWebhookSecrets(services(), { SHOP_WEBHOOK_SECRET: 's3cret' })).toEqual([]);
  });

  it.each([
    ['not set', {}],
    ['set to nothing', { SHOP_WEBHOOK_SECRET: '' }],
  ])('stops start-up when the variable a service names is %s, saying how to fix it', (_case, processEnv) => {
    expect(() => serviceWebhookSecrets(withOwnSecret, processEnv)).toThrow(
      "services.shop.webhookSecretEnv names SHOP_WEBHOOK_SECRET, which is not set in slipway's environment: set it to the secret of shop's webhook, or remove the key to use the host-wide secret",
    );
  });
});
