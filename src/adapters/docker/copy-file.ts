import type Docker from 'dockerode';
import { extract } from 'tar-stream';

/** One file out of a container's filesystem (`getArchive` gives a tar); undefined when it is not there. */
export async function readFileFromContainer(docker: Docker, containerId: string, path: string): Promise<string | undefined> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await docker.getContainer(containerId).getArchive({ path });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
  const tar = extract();
  let content: string | undefined;
  const done = new Promise<void>((resolve, reject) => {
    tar.on('entry', (header, entry, next) => {
      const chunks: Buffer[] = [];
      entry.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      entry.on('end', () => {
        if (content === undefined && header.type === 'file') content = Buffer.concat(chunks).toString('utf8');
        next();
      });
      entry.resume();
    });
    tar.on('finish', resolve);
    tar.on('error', reject);
  });
  archive.pipe(tar);
  await done;
  return content;
}

/** Files out of a container, read at once; undefined for one that is not there. */
export function readFilesFromContainer(docker: Docker, containerId: string, paths: readonly string[]): Promise<(string | undefined)[]> {
  return Promise.all(paths.map((path) => readFileFromContainer(docker, containerId, path)));
}

/**
 * Files out of an image: one container is created (never started) for all of them, then removed. Creating it
 * is most of the cost, so a stage asks for every report it needs in one call.
 */
export async function readFilesFromImage(docker: Docker, image: string, paths: readonly string[]): Promise<(string | undefined)[]> {
  // scratch images have no default command; any will do, the container never runs.
  const container = await docker.createContainer({ Image: image, Cmd: ['none'], Labels: { 'slipway.purpose': 'copy' } });
  try {
    return await readFilesFromContainer(docker, container.id, paths);
  } finally {
    // Removed while the run goes on: one engine round trip less before the next stage, which does not need it gone.
    void container.remove({ force: true }).catch(() => {});
  }
}
