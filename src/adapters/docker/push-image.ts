import type Docker from 'dockerode';
import { type RegistryAuth, registryOf } from './registry-auth.js';

type Progress = { error?: string; errorDetail?: { message?: string }; aux?: { Digest?: string } };

/** Pushes `image:tag` and returns its digest (`sha256:…`), read from the final `aux` line of the push. */
export async function pushImage(docker: Docker, image: string, tag: string, credentials: (registry: string) => Promise<RegistryAuth>): Promise<string> {
  const registry = registryOf(image);
  // The credentials `docker login` left for this registry; without any, old engines still need an auth that
  // names the registry's address (else "missing X-Registry-Auth").
  const stream = await docker.getImage(`${image}:${tag}`).push({ tag, authconfig: await credentials(registry) });
  let digest: string | undefined;
  let error: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (event: Progress) => {
        if (event.aux?.Digest) digest = event.aux.Digest;
        if (event.error) error = event.errorDetail?.message ?? event.error;
      },
    );
  });
  if (error) throw new Error(`push to ${registry} failed: ${error}`);
  if (!digest) throw new Error(`push to ${registry} ended without a digest`);
  return digest;
}
