import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { dockerImageEngine } from '../../src/adapters/docker/docker-image-engine.js';
import { type RegistryAuth, registryAuth } from '../../src/adapters/docker/registry-auth.js';
import { parseConfig } from '../../src/config.js';
import { type ServiceConfig, serviceList } from '../../src/core/config-schema.js';
import { imageTag } from '../../src/core/naming.js';
import { newRun } from '../../src/core/run.js';
import { buildStage } from '../../src/queue/stages/build-stage.js';
import { pushStage } from '../../src/queue/stages/push-stage.js';
import type { StageContext, StageOutcome } from '../../src/queue/stages/stage-context.js';
import { testStage } from '../../src/queue/stages/test-stage.js';
import { type MemoryStores, memoryStores } from '../memory/memory-stores.js';

export type Built = { lines: string[]; outcomes: StageOutcome[]; tag: string; ms: number };

export type BuildOptions = {
  buildCache?: boolean;
  push?: boolean;
  credentials?: (registry: string) => Promise<RegistryAuth>;
};

/**
 * A service for the build cache (issue 20, part 3), built by slipway's own test, build and push stages on any
 * engine: a deps stage with a slow dependency step (`depsSeconds`, its output a fresh random id each time it
 * runs, so a reused layer can be told from a rebuilt one), a test target built from it, and a release that
 * copies the dependencies out of it (they are not in the release's own history). `nonce` makes its dependency
 * layers new to every engine. The release store is the memory one (contract-tested against Redis).
 */
export function cachedService({ dir, image, nonce, depsSeconds = 2 }: { dir: string; image: string; nonce: string; depsSeconds?: number }) {
  const stores: MemoryStores = memoryStores();
  const dependencyStep = `RUN sleep ${depsSeconds} && cat /proc/sys/kernel/random/uuid > /deps/installed`;
  const dockerfile = `FROM scratch AS deps
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY deps.txt /deps/deps.txt
${dependencyStep}

FROM deps AS test
COPY src.txt /app/src.txt
RUN grep -q commit /app/src.txt

FROM scratch AS app
COPY --from=deps /bin /bin
COPY --from=deps /deps /deps
COPY src.txt /app/src.txt
CMD ["cat", "/app/src.txt"]
`;

  const service = (buildCache: boolean): ServiceConfig => serviceList(parseConfig(`
services:
  cached:
    repo: acme/cached
    image: ${image}
    channel: "#cached"
    testTarget: test
    buildTarget: app
    buildCache: ${buildCache}
    environments:
      - { name: staging, port: 8080 }
`))[0]!;

  return {
    stores,
    /** The source of a commit: the same dependencies, its own source file. */
    async commit(name: string): Promise<string> {
      const source = join(dir, name);
      await mkdir(source, { recursive: true });
      await copyFile('/bin/busybox', join(source, 'busybox'));
      await writeFile(join(source, 'Dockerfile'), dockerfile);
      await writeFile(join(source, 'deps.txt'), `dependencies ${nonce}\n`);
      await writeFile(join(source, 'src.txt'), `${name} commit\n`);
      return source;
    },

    /** Runs the test, build and (when asked) push stages of a commit of `branch` on `engine`: their outcomes and log lines. */
    async build(engine: Docker, sha: string, branch: string, source: string, options: BuildOptions = {}): Promise<Built> {
      const { buildCache = true, push = false, credentials = (registry: string) => registryAuth(registry) } = options;
      const lines: string[] = [];
      const run = newRun(
        {
          id: `run-${sha.slice(0, 7)}-${buildCache}`,
          service: 'cached',
          trigger: 'push',
          branch,
          sha,
          author: { name: 'Ann', email: 'ann@example.com' },
          triggeredBy: { name: 'ann' },
          commits: [],
          cloneUrl: 'file:///srv/git/cached.git',
          target: { environment: 'staging', ephemeral: false },
          stages: ['test', 'build', 'push'],
        },
        new Date(),
      );
      const refuse = () => {
        throw new Error('only the test, build and push stages run here');
      };
      const ctx = (stage: string): StageContext => ({
        ...stores,
        images: dockerImageEngine(engine, credentials),
        targets: refuse,
        secrets: async () => refuse(),
        synthetics: {},
        releasing: { get hosts() { return refuse(); }, get images() { return refuse(); } },
        signingKey: Buffer.alloc(32),
        run,
        service: service(buildCache),
        stage,
        sourceDir: async () => source,
        commitsBehind: async () => 0,
        isAncestorOf: async () => true,
        commitsSince: async () => refuse(),
        pushTag: async () => refuse(),
        log: async (...more) => void lines.push(...more),
        now: () => new Date(),
      });
      const started = Date.now();
      const outcomes = [await testStage(ctx('test')), await buildStage(ctx('build'))];
      if (push) outcomes.push(await pushStage(ctx('push')));
      return { lines, outcomes, tag: imageTag(branch, sha), ms: Date.now() - started };
    },

    /** What the build output says right after each run of the dependency step: `---> Using cache`, or the container it ran in. */
    afterDependencyStep(lines: readonly string[]): string[] {
      return lines.flatMap((line, i) => (line.includes(dependencyStep) ? [lines[i + 1]?.trim() ?? '(end of output)'] : []));
    },

    /** The dependency step's output in `image`: the id drawn when the step ran. */
    async installedIn(engine: Docker, releaseImage: string): Promise<string | undefined> {
      const [text] = await dockerImageEngine(engine, (registry) => registryAuth(registry)).readFiles({ image: releaseImage }, ['/deps/installed']);
      return text;
    },
  };
}

/** Every image of the engine removed: a worker host that never built anything. */
export async function emptyEngine(engine: Docker): Promise<void> {
  for (const image of await engine.listImages({ all: true })) {
    await engine.getImage(image.Id).remove({ force: true }).catch(() => undefined);
  }
  const left = await engine.listImages({ all: true });
  if (left.length > 0) throw new Error(`the engine still has ${left.length} image(s): ${left.map((i) => i.Id).join(', ')}`);
}
