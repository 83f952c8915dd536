import type Docker from 'dockerode';
import type { ContainerRun, ImageBuild, ImageBuildResult, ImageEngine, ImageSource } from '../../core/ports.js';
import { buildImage } from './build-image.js';
import { imageOrigin } from './image-origin.js';
import { readFilesFromContainer, readFilesFromImage } from './copy-file.js';
import { pushImage } from './push-image.js';
import type { RegistryAuth } from './registry-auth.js';
import { runToEnd } from './run-to-end.js';

/** The engine slipway's workers build on (DOCKER_HOST): builds, reads reports out, pushes with the registry's credentials. */
export function dockerImageEngine(docker: Docker, credentials: (registry: string) => Promise<RegistryAuth>): ImageEngine {
  return {
    build: (request: ImageBuild): Promise<ImageBuildResult> => buildImage(docker, request),
    readFiles: (from: ImageSource, paths: readonly string[]) =>
      'image' in from ? readFilesFromImage(docker, from.image, paths) : readFilesFromContainer(docker, from.container, paths),
    push: (image: string, tag: string) => pushImage(docker, image, tag, credentials),
    run: (request: ContainerRun) => runToEnd(docker, request, { credentials, where: 'the build engine' }),
    imageOrigin: (ref: string, options: { pull: boolean }) => imageOrigin(docker, ref, options, credentials),
    async tag(source: string, image: string, tag: string) {
      await docker.getImage(source).tag({ repo: image, tag });
    },
    async discard(what: ImageSource) {
      const removal = 'image' in what ? docker.getImage(what.image).remove({ force: true }) : docker.getContainer(what.container).remove({ force: true });
      await removal.catch(() => {});
    },
  };
}
