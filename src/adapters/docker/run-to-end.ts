import type Docker from 'dockerode';
import type { ContainerRun, ContainerRunResult } from '../../core/ports.js';
import { readFilesFromContainer } from './copy-file.js';
import { ensureImage, type PullFrom, removeContainer } from './run-container.js';

/**
 * Runs one container to its end (integration tests): the image used when here, else pulled; its output followed
 * line by line; killed when it outlives `timeoutMs` or `signal` aborts; the files asked for read out after it
 * ended; and the container removed in every case.
 */
export async function runToEnd(docker: Docker, request: ContainerRun, from: PullFrom): Promise<ContainerRunResult> {
  await ensureImage(docker, request.image, from);
  // A worker that died while its container ran left it running, unbounded: it goes before another starts.
  await removeContainer(docker, request.name);
  const container = await docker.createContainer({
    name: request.name,
    Image: request.image,
    Entrypoint: [...request.command],
    Cmd: [],
    Env: Object.entries(request.env).map(([key, value]) => `${key}=${value}`),
    Labels: { ...request.labels },
    HostConfig: { NetworkMode: request.network, Init: true },
  });
  let timedOut = false;
  let aborted = false;
  try {
    await container.start();
    // Never rejects (awaited only once the container has ended): a lost log stream costs lines, not the result.
    const output = followOutput(docker, container, request.onLine).catch((error: unknown) => request.onLine?.(`(the container's output could not be followed: ${(error as Error).message})`));
    const ended = container.wait() as Promise<{ StatusCode: number }>;
    const kill = async () => {
      await container.kill().catch(() => {});
    };
    const onAbort = () => {
      aborted = true;
      void kill();
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    if (request.signal?.aborted) onAbort();
    const timer = setTimeout(() => {
      timedOut = true;
      void kill();
    }, request.timeoutMs);
    let exit: { StatusCode: number };
    try {
      exit = await ended;
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }
    await output;
    const files = request.files?.length ? await readFilesFromContainer(docker, container.id, request.files) : [];
    const killed = timedOut || aborted;
    return { exitCode: killed ? undefined : exit.StatusCode, timedOut, aborted, files };
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}

/** The container's stdout and stderr, as lines; resolves when the container's output ends. */
async function followOutput(docker: Docker, container: Docker.Container, onLine?: (line: string) => void): Promise<void> {
  if (!onLine) return;
  const stream = (await container.logs({ follow: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
  let partial = '';
  // The modem calls write() with each frame's payload, stdout and stderr alike, as the frames come.
  const lines = {
    write(chunk: Buffer) {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) onLine(line);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  docker.modem.demuxStream(stream, lines, lines);
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  if (partial) onLine(partial);
}
