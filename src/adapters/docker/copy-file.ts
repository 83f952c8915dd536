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

/** One file out of an image: a container is created (never started) to read it, then removed. */
export async function readFileFromImage(docker: Docker, image: string, path: string): Promise<string | undefined> {
  // scratch images have no default command; any will do, the container never runs.
  const container = await docker.createContainer({ Image: image, Cmd: ['none'], Labels: { 'slipway.purpose': 'copy' } });
  try {
    return await readFileFromContainer(docker, container.id, path);
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}
