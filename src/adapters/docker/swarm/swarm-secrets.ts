import type Docker from 'dockerode';
import { z } from 'zod';
import { type SwarmSecretRef, swarmSecretName } from '../../../core/swarm-service-spec.js';
import { type SwarmService, SwarmSecret } from './swarm-schema.js';

/** Whose secrets these are: the labels slipway puts on every secret it makes for an environment. */
export type SecretOwner = { service: string; environment: string; container: string };

const ownerLabels = (owner: SecretOwner) => ({ 'slipway.service': owner.service, 'slipway.environment': owner.environment });

async function ownedSecrets(docker: Docker, owner: SecretOwner): Promise<SwarmSecret[]> {
  const labels = Object.entries(ownerLabels(owner)).map(([key, value]) => `${key}=${value}`);
  return z.array(SwarmSecret).parse(await docker.listSecrets({ filters: { label: labels } }));
}

/**
 * A Docker secret for each value, made once per value version: a value seen before reuses its secret (its
 * name says which version it holds). The values go to the swarm's encrypted store and nowhere else.
 */
export async function ensureSecrets(docker: Docker, owner: SecretOwner, values: Record<string, string>): Promise<SwarmSecretRef[]> {
  const existing = new Map((await ownedSecrets(docker, owner)).map((secret) => [secret.Spec.Name, secret.ID]));
  const refs: SwarmSecretRef[] = [];
  for (const [variable, value] of Object.entries(values).sort(([a], [b]) => a.localeCompare(b))) {
    const name = swarmSecretName(owner.container, variable, value);
    let id = existing.get(name);
    if (!id) {
      const created = await docker.createSecret({
        Name: name,
        Labels: { ...ownerLabels(owner), 'slipway.variable': variable },
        Data: Buffer.from(value, 'utf8').toString('base64'),
      });
      id = (created as { id: string }).id;
    }
    refs.push({ variable, id, name });
  }
  return refs;
}

/**
 * Removes the environment's secrets the service no longer refers to. Those of its previous spec stay: the
 * swarm may roll back to it. Best effort: a secret a task still holds is refused by the swarm, and goes next time.
 */
export async function pruneSecrets(docker: Docker, owner: SecretOwner, service: SwarmService | undefined): Promise<void> {
  const used = new Set(
    [service?.Spec, service?.PreviousSpec].flatMap((spec) => spec?.TaskTemplate.ContainerSpec.Secrets ?? []).map((ref) => ref.SecretID),
  );
  for (const secret of await ownedSecrets(docker, owner)) {
    if (used.has(secret.ID)) continue;
    await docker.getSecret(secret.ID).remove().catch(() => undefined);
  }
}
