/** A secret's owner: a service's own (`service` set), or the git host's, shared by services without one. */
export type SecretOwner = { name: string; service?: string };

/**
 * Why a verified delivery may still not be taken by every service its payload names (several share a
 * monorepo): each must accept the secret it was signed with. None named: the host-wide secret only.
 */
export function signersRefusal(
  named: readonly { name: string; webhookSecretEnv?: string }[],
  signedWith: readonly SecretOwner[],
  hostSecretName: string,
): string | undefined {
  if (named.length === 0) return signerRefusal(undefined, signedWith, hostSecretName);
  for (const service of named) {
    const refusal = signerRefusal(service, signedWith, hostSecretName);
    if (refusal) return refusal;
  }
  return undefined;
}

/**
 * Why a verified delivery may still not be taken: it was signed with a secret that is not the one for the
 * service its payload names, or undefined when it was. A service with `webhookSecretEnv` takes only its own
 * secret, so whoever holds another repository's secret (or the host-wide one) cannot push in its name; a
 * service without one, or a repository slipway does not build, takes the host-wide secret only.
 */
export function signerRefusal(
  named: { name: string; webhookSecretEnv?: string } | undefined,
  signedWith: readonly SecretOwner[],
  hostSecretName: string,
): string | undefined {
  const own = named?.webhookSecretEnv;
  const fits = own
    ? signedWith.some((s) => s.service === named.name)
    : signedWith.some((s) => s.service === undefined);
  if (fits) return undefined;
  const by = signedWith.map((s) => s.name).join(' or ');
  const what = named ? `${named.name}'s repository` : 'a repository slipway does not build';
  return `this delivery is signed with ${by}, but it names ${what}, whose deliveries must be signed with ${own ?? hostSecretName}: set that secret on the repository's webhook`;
}
