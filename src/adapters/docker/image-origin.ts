import type Docker from 'dockerode';
import type { ImageOrigin } from '../../core/build-cache.js';
import type { RegistryAuth } from './registry-auth.js';
import { ensureImage, inspectImage, PullError } from './run-container.js';

/**
 * Where the engine has `ref` from. An image built on this engine has a parent (the image of its previous step);
 * a pulled one has none, and the engine's build cache cannot see its layers unless the build names it. What the
 * engine has is never pulled again; a ref the registry does not have is 'absent' (a first build), not an error.
 */
export async function imageOrigin(
  docker: Docker,
  ref: string,
  { pull }: { pull: boolean },
  credentials: (registry: string) => Promise<RegistryAuth>,
): Promise<ImageOrigin> {
  const here = await inspectImage(docker, ref);
  if (here) return here.Parent ? 'built' : 'pulled';
  if (!pull) return 'absent';
  try {
    await ensureImage(docker, ref, { credentials, where: 'the build engine' });
  } catch (error) {
    if (error instanceof PullError && /manifest unknown|not found|does not exist/i.test(error.message)) return 'absent';
    throw error;
  }
  return 'pulled';
}
