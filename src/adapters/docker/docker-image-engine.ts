import type Docker from 'dockerode';
import type { ImageBuild, ImageBuildResult, ImageEngine, ImageSource } from '../../core/ports.js';
import { buildImage } from './build-image.js';
import { readFileFromContainer, readFileFromImage } from './copy-file.js';
import { pushImage } from './push-image.js';
import type { RegistryAuth } from './registry-auth.js';

/** The engine slipway's workers build on (DOCKER_HOST): builds, reads reports out, pushes with the registry's credentials. */
export function dockerImageEngine(docker: Docker, credentials: (registry: string) => Promise<RegistryAuth>): ImageEngine {
  return {
    build: (request: ImageBuild): Promise<ImageBuildResult> => buildImage(docker, request),
    readFile: (from: ImageSource, path: string) =>
      'image' in from ? readFileFromImage(docker, from.image, path) : readFileFromContainer(docker, from.container, path),
    push: (image: string, tag: string) => pushImage(docker, image, tag, credentials),
    async discard(what: ImageSource) {
      const removal = 'image' in what ? docker.getImage(what.image).remove({ force: true }) : docker.getContainer(what.container).remove({ force: true });
      await removal.catch(() => {});
    },
  };
}
