import type { ServiceConfig } from '../core/config-schema.js';
import type { WebhookSecret } from '../core/ports.js';

/**
 * The services' own webhook secrets (`webhookSecretEnv`), read from slipway's environment. A name the
 * environment does not hold stops start-up: that service's deliveries could never be verified.
 */
export function serviceWebhookSecrets(services: readonly ServiceConfig[], processEnv: NodeJS.ProcessEnv): (WebhookSecret & { service: string })[] {
  return services.flatMap((service) => {
    const name = service.webhookSecretEnv;
    if (!name) return [];
    const value = processEnv[name];
    if (!value) {
      throw new Error(`services.${service.name}.webhookSecretEnv names ${name}, which is not set in slipway's environment: set it to the secret of ${service.name}'s webhook, or remove the key to use the host-wide secret`);
    }
    return [{ value, name, service: service.name }];
  });
}
