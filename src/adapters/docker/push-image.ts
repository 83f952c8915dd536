import type Docker from 'dockerode';

type Progress = { error?: string; errorDetail?: { message?: string }; aux?: { Digest?: string } };

/** Pushes `image:tag` and returns its digest (`sha256:…`), read from the final `aux` line of the push. */
export async function pushImage(docker: Docker, image: string, tag: string): Promise<string> {
  const registry = image.split('/')[0] ?? '';
  // Old engines refuse a push without X-Registry-Auth; an empty auth for the registry's address satisfies them.
  const stream = await docker.getImage(`${image}:${tag}`).push({ tag, authconfig: { serveraddress: registry } });
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
