import type { ImageOrigin } from '../build-cache.js';
import type { ReleaseSource } from './releases.js';

/** One image build: a Dockerfile target of a checked-out build context. */
export type ImageBuild = {
  contextDir: string;
  dockerfile: string;
  tag: string;
  target?: string;
  labels?: Record<string, string>;
  /** Images whose layers the build may reuse (core/build-cache.ts); each must be in the engine. Unset: the engine's own cache. */
  cacheFrom?: string[];
  /** Each line of build output, as it comes. */
  onLine?(line: string): void;
};

/** A failed build keeps the failed step's container, so reports a failing test step wrote can be read. */
export type ImageBuildResult = { ok: true } | { ok: false; error: string; failedContainerId?: string };

/** A built image, or the container a failed build step left behind. */
export type ImageSource = { image: string } | { container: string };

/** A container run to its end on the build engine (integration tests): its output, exit code and files. */
export type ContainerRun = {
  /** The container's name: one left under it (its worker died mid-run) is removed first. */
  name: string;
  /** Used when the engine has it, else pulled with the registry's credentials. */
  image: string;
  /** Replaces the image's entrypoint. */
  command: readonly string[];
  env: Record<string, string>;
  network: 'host' | 'bridge';
  labels: Record<string, string>;
  /** Killed after this long. */
  timeoutMs: number;
  /** Aborted: killed at once (a cancelled run). */
  signal?: AbortSignal;
  /** Each line of its output, as it comes. */
  onLine?(line: string): void;
  /** Read out of the container once it has ended, in this order (undefined: not there). */
  files?: readonly string[];
};

/** `exitCode` is undefined when the container was killed (timed out or aborted). */
export type ContainerRunResult = { exitCode?: number; timedOut: boolean; aborted: boolean; files: (string | undefined)[] };

/** Where releases are built and pushed from: the engine of slipway's workers. */
export interface ImageEngine {
  /** Runs a container to its end and removes it, whatever happens. */
  run(request: ContainerRun): Promise<ContainerRunResult>;
  build(request: ImageBuild): Promise<ImageBuildResult>;
  /** Files out of an image or a container, in the order asked; undefined for one that is not there. */
  readFiles(from: ImageSource, paths: readonly string[]): Promise<(string | undefined)[]>;
  /** Pushes `image:tag` with the registry's credentials; answers its digest (`sha256:…`). */
  push(image: string, tag: string): Promise<string>;
  /**
   * Where the engine has `ref` from (core/build-cache.ts): built on it, or pulled; when it lacks it and `pull` is
   * set, it is pulled with the registry's credentials. 'absent': not in the engine, nor in the registry when
   * pulled. A pull failing otherwise throws.
   */
  imageOrigin(ref: string, options: { pull: boolean }): Promise<ImageOrigin>;
  /** Tags the engine's image `source` as `image:tag` too. */
  tag(source: string, image: string, tag: string): Promise<void>;
  /** Removes an image or a container slipway made for a step; never fails. */
  discard(what: ImageSource): Promise<void>;
}

/** The release a deploy puts in an environment, and the secrets' values it runs with (in memory only). */
export type PlacedRelease = {
  /** `repository@sha256:…`: environments get the digest, never a tag. */
  image: string;
  tag: string;
  sha: string;
  runId: string;
  /** Variable name → value, resolved right before the deploy; never logged, stored or labelled. */
  secrets: Record<string, string>;
  /** The keyed hash of its runtime settings and secrets (core/runtime-print.ts): a target keeps it with the release. */
  print: string;
};

export type PlaceResult = { ok: true } | { ok: false; cause: string; logTail?: string };

/** What a target reports about its environment, read from the target itself, not slipway's records. */
export type TargetStatus = {
  running?: { image: string; runId?: string; sha?: string };
  /** An orchestrator's replicas: how many are ready (serving) of how many it is asked to run. */
  replicas?: { ready: number; desired: number };
  /** `healthy`, or a short phrase saying what is wrong (`unreachable: …`). */
  health: string;
};

/**
 * Where one environment's release runs (a Docker host, a swarm, a cluster), made from its `target:` in
 * slipway.yml. A deploy that fails leaves the previous release serving.
 */
export interface DeployTarget {
  /** For messages: the kind and the host, e.g. `docker on ssh://deploy@web-1`. */
  readonly where: string;
  /** Puts the release there and waits until it is healthy (or the health timeout ends). */
  place(release: PlacedRelease, log: (...lines: string[]) => Promise<void>): Promise<PlaceResult>;
  /**
   * After the environment's checks: `keep` retires the release the last `place` replaced (blue/green keeps it
   * running until then), which may go on after it returns: the next `place` waits for it; `revert` puts it back.
   * False when there is nothing kept to put back (recreate).
   */
  settle(outcome: 'keep' | 'revert', log: (...lines: string[]) => Promise<void>): Promise<boolean>;
  /** Takes the environment's release away (an ephemeral environment's teardown); false when nothing ran. */
  remove(): Promise<boolean>;
  status(): Promise<TargetStatus>;
  /**
   * Whether `image` already serves the environment with the runtime print `print` (core/runtime-print.ts) and is
   * healthy: a deploy of it would replace nothing. A quick look, bounded: anything it cannot tell at once is false.
   */
  alreadyLive(image: string, print: string): Promise<boolean>;
}

/**
 * A reverse proxy in front of an environment (blue/green): one route per environment, listening on the
 * environment's address and sending everything to one upstream, switched in one change.
 */
export interface TrafficProxy {
  /** Where the route sends traffic now (`host:port`); undefined when there is no such route. */
  upstream(route: string): Promise<string | undefined>;
  /** Makes the route listen on `listen` (`host:port`) and send all traffic to `upstream`, in one change. */
  route(route: string, listen: string, upstream: string): Promise<void>;
  /** Takes the route away; nothing happens when there is none. */
  remove(route: string): Promise<void>;
}

/** HTTP checks of a deployed environment's health URL. */
export interface HealthChecks {
  /** One look, for /slipway status: `healthy`, or a short phrase saying what is wrong; never throws. */
  now(url: string): Promise<string>;
  /** Asks until it answers 2xx or `timeoutMs` ends; the cause names the URL and the last answer. */
  waitHealthy(url: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; cause: string }>;
}

/** Where a run's code is: the URL config names (never a payload's), the commit and the clone token. */
export type CheckoutSource = { url: string | undefined; sha: string; token?: string };

/** A run's checkout of its commit: cloned on first use, removed when the attempt ends. */
export interface SourceCheckout extends ReleaseSource {
  sourceDir(): Promise<string>;
  /** How many commits `branch` has that the checked-out commit lacks; undefined when it cannot tell. */
  commitsBehind(branch: string): Promise<number | undefined>;
  /** Whether the checked-out commit is an ancestor of `sha`; undefined when it cannot tell. */
  isAncestorOf(sha: string): Promise<boolean | undefined>;
  remove(): Promise<void>;
}
