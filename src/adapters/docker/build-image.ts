import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import dockerignore from '@balena/dockerignore';
import type Docker from 'dockerode';
import { pack } from 'tar-fs';
import type { ImageBuild, ImageBuildResult } from '../../core/ports.js';


type Progress = { stream?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } };

/**
 * `docker build` through the engine API. A failed build still answers HTTP 200 with the error as a stream line,
 * so every line is read. The failed step's container is kept by the engine (forcerm off), so reports a failing
 * test step wrote can still be copied out; the caller removes it.
 */
export async function buildImage(docker: Docker, request: ImageBuild): Promise<ImageBuildResult> {
  const ignored = await dockerignoreFilter(request.contextDir);
  // tar-fs's pack is a streamx stream: a Node readable in all but its type.
  const context = pack(request.contextDir, { ignore: ignored }) as unknown as NodeJS.ReadableStream;
  const stream = await docker.buildImage(context, {
    t: request.tag,
    dockerfile: request.dockerfile,
    target: request.target,
    labels: request.labels,
    // A JSON list; never an empty one: a list naming nothing the engine has turns its own cache off (Engine 20.10).
    ...(request.cacheFrom?.length ? { cachefrom: JSON.stringify(request.cacheFrom) } : {}),
    rm: true,
    forcerm: false,
  });
  let lastContainer: string | undefined;
  let error: string | undefined;
  let partial = '';
  const onProgress = (event: Progress) => {
    if (event.stream) {
      const text = partial + event.stream;
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const running = /---> Running in ([0-9a-f]{12,64})/.exec(line);
        if (running) lastContainer = running[1];
        request.onLine?.(line);
      }
    }
    if (event.error) error = event.errorDetail?.message ?? event.error;
  };
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()), onProgress);
  });
  if (partial) request.onLine?.(partial);
  if (error) {
    request.onLine?.(error);
    return { ok: false, error, failedContainerId: lastContainer };
  }
  return { ok: true };
}

/**
 * The context's `.dockerignore`, applied as the docker CLI applies it (the engine itself never reads it).
 * The Dockerfile and `.dockerignore` are always sent, as the CLI does.
 */
async function dockerignoreFilter(contextDir: string): Promise<(path: string) => boolean> {
  let rules: string;
  try {
    rules = await readFile(join(contextDir, '.dockerignore'), 'utf8');
  } catch {
    return () => false;
  }
  // A CommonJS module: under nodenext its factory is typed as the default export's .default.
  const matcher = dockerignore.default({ ignorecase: false }).add(rules.split(/\r?\n/));
  return (path) => {
    const name = relative(contextDir, path);
    return name !== '' && name !== '.dockerignore' && matcher.ignores(name);
  };
}
