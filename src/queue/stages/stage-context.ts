import type { Environment, ServiceConfig } from '../../core/config-schema.js';
import type { EnvironmentSpec } from '../../core/environment-spec.js';
import type {
  ApprovalStore, ArtifactStore, AuditLog, DeployTarget, DeploymentStore, FreezeStore, HostReleases, ImageEngine, ImageTagger, Lease, LockStore, PassStore, PortStore, QuarantineStore,
  ReleaseSource, ReleaseStore, RunStore, VersionStore,
} from '../../core/ports.js';
import type { CheckKind, SyntheticsProvider } from '../../core/synthetics.js';
import type { Run } from '../../core/run.js';
import type { SecretSource } from '../../core/target-schema.js';
import type { ReleaseBuildAhead } from './release-build-ahead.js';

/** What every stage may use: the engine, the deploy targets, the stores and the check providers. */
export type StageTools = {
  images: ImageEngine;
  /** The target an environment runs on, by its `target:` in slipway.yml. */
  targets(environment: EnvironmentSpec): DeployTarget;
  /** The values of an environment's secrets, read right before a deploy; a missing one is named in `cause`. */
  secrets(sources: Record<string, SecretSource>): Promise<{ ok: true; values: Record<string, string> } | { ok: false; cause: string }>;
  runs: RunStore;
  releases: ReleaseStore;
  deployments: DeploymentStore;
  ports: PortStore;
  lease: Lease;
  locks: LockStore;
  approvals: ApprovalStore;
  audit: AuditLog;
  artifacts: ArtifactStore;
  passes: PassStore;
  quarantines: QuarantineStore;
  freezes: FreezeStore;
  /** Providers by kind; a kind with none configured (Datadog without keys) is absent. */
  synthetics: Partial<Record<CheckKind, SyntheticsProvider>>;
  /** The versions made (`releases:` in slipway.yml). */
  versions: VersionStore;
  /** Where versions are tagged and released: the git hosts' APIs (with a token) and the registry. */
  releasing: { hosts: HostReleases; images: ImageTagger };
  /** Verifies approval grants right before a deploy; never stored in Redis (see core/approval-grant.ts). */
  signingKey: Buffer;
};

export type StageContext = StageTools & ReleaseSource & {
  run: Run;
  service: ServiceConfig;
  /** The stage being run, e.g. `deploy:staging`. */
  stage: string;
  /** The checked-out source; cloned on first use in this attempt. */
  sourceDir(): Promise<string>;
  /** How many commits of `branch` the checked-out commit lacks; undefined when there is no such branch. */
  commitsBehind(branch: string): Promise<number | undefined>;
  /** Whether the checked-out commit is an ancestor of `of` (git ancestry); undefined when the repository lacks `of`. */
  isAncestorOf(of: string): Promise<boolean | undefined>;
  /** Who asked `/slipway cancel` for this run, if anyone has: a stage that runs long stops early for it. */
  cancelRequested?(): Promise<string | undefined>;
  /** Appends lines to this stage's log (secrets scrubbed). */
  log(...lines: string[]): Promise<void>;
  now(): Date;
  /** The release's build when the attempt started it beside the tests (release-build-ahead.ts). */
  ahead?: ReleaseBuildAhead;
};

export type StageOutcome =
  | { status: 'passed'; summary?: string; details?: string[]; patch?: Partial<Run> }
  | { status: 'failed'; cause: string; details?: string[] }
  /** Another run holds the environment: come back later. */
  | { status: 'wait'; delayMs: number }
  /** The environment is left out (a quarantined release); the rest of the run is skipped, not failed. */
  | { status: 'skipped'; summary: string }
  | { status: 'superseded'; by: string }
  /** Stopped midway by `/slipway cancel`: the run ends cancelled. */
  | { status: 'cancelled'; by: string };

/** Local tag of a run's test image; never pushed under it (the build cache pushes it as `<release tag>-cache`). */
export function testImageTag(run: Run): string {
  return `slipway-test/${run.service}:${run.id}`;
}

export function environmentConfig(service: ServiceConfig, name: string): Environment | undefined {
  return service.environments.find((e) => e.name === name);
}
