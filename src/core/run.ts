import { z } from 'zod';
import { GIT_HOSTS } from './git-hosts.js';

export const STAGE_STATUSES = ['pending', 'running', 'passed', 'failed', 'skipped'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

/** `waiting` is a run parked at an approval gate; `superseded` lost to a newer run for the same environment. */
export const RUN_STATUSES = ['queued', 'running', 'waiting', 'passed', 'failed', 'cancelled', 'superseded'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'waiting'];

export const TRIGGERS = ['push', 'deploy', 'retry', 'delete', 'rollback'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** `deploy:staging` and friends: the stages that belong to one environment carry its name. */
export type StageName =
  | 'checkout'
  | 'validate'
  | 'test'
  | 'coverage'
  | 'build'
  | 'push'
  | `deploy:${string}`
  | `integration:${string}`
  | `synthetics:${string}`
  | `approval:${string}`
  | `teardown:${string}`
  | `release:${string}`;

const person = z.object({ name: z.string(), email: z.string().optional(), username: z.string().optional() });

export const Stage = z.object({
  name: z.custom<StageName>((value) => typeof value === 'string' && value.length > 0),
  status: z.enum(STAGE_STATUSES),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** One short line for Slack: "42 passed", "83.1 %", the cause of a failure. */
  summary: z.string().optional(),
  /** Lines for the stage's thread reply (each synthetic check's result). */
  details: z.array(z.string()).optional(),
});
export type Stage = z.infer<typeof Stage>;

export const Run = z.object({
  id: z.string(),
  service: z.string(),
  trigger: z.enum(TRIGGERS),
  branch: z.string(),
  sha: z.string(),
  before: z.string().optional(),
  author: person,
  triggeredBy: person,
  /** `at`: the commit's time from the push (runs from before issue 20 have none). */
  commits: z.array(z.object({ sha: z.string(), message: z.string(), author: person, at: z.string().optional() })),
  /** The git host and repository the commit came from, for commit statuses. */
  source: z.object({ host: z.enum(GIT_HOSTS), fullName: z.string() }).optional(),
  /** Where the run's code comes from, as config said when it started (the worker asks config again). Never holds a token. */
  cloneUrl: z.string(),
  /** The environment the branch routes to; ephemeral ones are named per branch. */
  target: z.object({ environment: z.string(), ephemeral: z.boolean() }),
  stages: z.array(Stage),
  status: z.enum(RUN_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  deliveryId: z.string().optional(),
  /** Set by the push stage, or by a reused release (build once). */
  release: z.object({ image: z.string(), tag: z.string(), digest: z.string(), reused: z.boolean() }).optional(),
  /** What the test and coverage stages measured; recorded with the release. */
  quality: z
    .object({
      tests: z.object({ total: z.number(), passed: z.number(), failed: z.number(), skipped: z.number() }).optional(),
      coverage: z.number().optional(),
    })
    .optional(),
  /** Why the run failed: the stage and a one-line cause for Slack. */
  failure: z.object({ stage: z.string(), cause: z.string() }).optional(),
  /** The run this one retries. */
  retryOf: z.string().optional(),
  /**
   * `/deploy force`: forced by an approver, with a reason. It may deploy a branch behind the default one, and break
   * a freeze (with one approval more than usual).
   */
  override: z.object({ by: z.string(), reason: z.string() }).optional(),
  /**
   * Approvals of a release for an environment, each signed with slipway's key (not kept in Redis): a deploy to
   * an environment that requires approval checks one before it starts.
   */
  grants: z.array(z.object({ environment: z.string(), digest: z.string(), by: z.string(), at: z.string(), signature: z.string() })).optional(),
  /**
   * Started by a `/deploy` comment on a pull request: its number, the commenter's git login, whether its head
   * came from a fork, and slipway's answer comment there (updated with the outcome).
   */
  pullRequest: z
    .object({ number: z.number().int().positive(), by: z.string(), url: z.string().optional(), fork: z.boolean(), answerId: z.number().int().optional() })
    .optional(),
  /**
   * The version this run made when its release reached the release environment (`releases:` in slipway.yml),
   * what of it was done, and the notes' first lines; for a rollback, the version the environment runs again.
   */
  version: z
    .object({
      version: z.string(),
      tag: z.string(),
      environment: z.string(),
      /** A rollback: no new version, this one runs there again. */
      again: z.boolean().optional(),
      previousTag: z.string().optional(),
      /** How many commits since the previous version; `commits` holds the newest of them. */
      total: z.number().optional(),
      commits: z.array(z.object({ sha: z.string(), subject: z.string(), kind: z.enum(['breaking', 'feature', 'fix', 'other']), author: z.string(), url: z.string().optional() })).optional(),
      /** The host's release page. */
      url: z.string().optional(),
      /** What was done (`tagged in git`, …) and what failed, each a sentence. */
      done: z.array(z.string()).optional(),
      problems: z.array(z.string()).optional(),
    })
    .optional(),
  /** `/deploy force` past a freeze: which freeze it breaks (its start and end); a different freeze still stops it. */
  breaks: z.array(z.object({ environment: z.string(), from: z.string(), until: z.string() })).optional(),
  /**
   * The W3C traceparent of the span that started the run (the webhook's or command's request, when tracing is
   * on): the workers' spans for it join that trace, in whichever process they run.
   */
  traceparent: z.string().optional(),
});
export type Run = z.infer<typeof Run>;

export type NewRun = Omit<Run, 'stages' | 'status' | 'createdAt' | 'updatedAt' | 'release' | 'failure' | 'quality'> & {
  stages: readonly StageName[];
};

export function newRun(input: NewRun, now: Date): Run {
  const at = now.toISOString();
  return {
    ...input,
    stages: input.stages.map((name) => ({ name, status: 'pending' as const })),
    status: 'queued',
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * A run of a release slipway built earlier (a rollback, a version made again): no checkout or build, the same
 * digest; who wrote it, its commits and where it came from (so the git host records this run too) copied from
 * the run that built it, while that run is still kept.
 */
export function runOfBuiltRelease(
  input: {
    id: string;
    service: string;
    trigger: 'deploy' | 'rollback';
    release: Omit<NonNullable<Run['release']>, 'reused'> & { sha: string };
    built: Run | undefined;
    by: { name: string; id: string };
    environment: string;
    stages: readonly StageName[];
  },
  now: Date,
): Run {
  const { built, release, by } = input;
  const run = newRun(
    {
      id: input.id,
      service: input.service,
      trigger: input.trigger,
      branch: built?.branch ?? release.tag,
      sha: release.sha,
      author: built?.author ?? { name: by.name },
      triggeredBy: { name: by.name, username: by.id },
      commits: built?.commits ?? [],
      cloneUrl: built?.cloneUrl ?? '',
      source: built?.source,
      target: { environment: input.environment, ephemeral: false },
      stages: input.stages,
    },
    now,
  );
  return { ...run, release: { ...release, reused: true } };
}

/**
 * The Slack id of who started the run, when Slack told us (a command, a click); undefined for a push, whose
 * `triggeredBy` comes from the git payload and may say anything.
 */
export function slackTriggerOf(run: Pick<Run, 'trigger' | 'triggeredBy'>): string | undefined {
  return run.trigger === 'push' || run.trigger === 'delete' ? undefined : run.triggeredBy.username;
}

export function isActive(run: Run): boolean {
  return ACTIVE_RUN_STATUSES.includes(run.status);
}

export function isFinished(run: Run): boolean {
  return !isActive(run);
}

/** The stage to work on next: the first one neither passed nor skipped. */
export function nextStage(run: Run): Stage | undefined {
  return run.stages.find((s) => s.status !== 'passed' && s.status !== 'skipped');
}

function withStage(run: Run, name: string, change: Partial<Stage>, now: Date): Run {
  return {
    ...run,
    updatedAt: now.toISOString(),
    stages: run.stages.map((s) => (s.name === name ? { ...s, ...change } : s)),
  };
}

export function startStage(run: Run, name: string, now: Date): Run {
  const started = withStage(run, name, { status: 'running', startedAt: now.toISOString(), finishedAt: undefined, summary: undefined }, now);
  return { ...started, status: 'running' };
}

export function passStage(run: Run, name: string, now: Date, summary?: string, details?: string[]): Run {
  return withStage(run, name, { status: 'passed', finishedAt: now.toISOString(), summary, details }, now);
}

export function skipStage(run: Run, name: string, now: Date, summary?: string): Run {
  return withStage(run, name, { status: 'skipped', finishedAt: now.toISOString(), summary }, now);
}

/** Ends the run at a failed stage; every stage after it is skipped. */
export function failRun(run: Run, name: string, cause: string, now: Date, details?: string[]): Run {
  const failed = withStage(run, name, { status: 'failed', finishedAt: now.toISOString(), summary: cause, details }, now);
  return { ...skipRest(failed, now), status: 'failed', failure: { stage: name, cause } };
}

/** Ends a run that lost to a newer run for the same environment. */
export function supersedeRun(run: Run, byRunId: string, now: Date): Run {
  return { ...skipRest(run, now, `superseded by ${byRunId}`), status: 'superseded', updatedAt: now.toISOString() };
}

/** Parks the run at a gate: no worker holds it while it waits. */
export function parkRun(run: Run, name: string, now: Date): Run {
  return { ...withStage(run, name, { status: 'running', startedAt: now.toISOString() }, now), status: 'waiting' };
}

export function completeRun(run: Run, now: Date): Run {
  return { ...run, status: 'passed', updatedAt: now.toISOString() };
}

/** Leaves out the stages still to come (a quarantined release), saying why on each. */
export function skipRestOfRun(run: Run, summary: string, now: Date): Run {
  return { ...skipRest(run, now, summary), updatedAt: now.toISOString() };
}

function skipRest(run: Run, now: Date, summary?: string): Run {
  return {
    ...run,
    stages: run.stages.map((s) =>
      s.status === 'pending' || s.status === 'running' ? { ...s, status: 'skipped' as const, finishedAt: now.toISOString(), summary: summary ?? s.summary } : s,
    ),
  };
}

/** How long a stage took, in whole seconds; undefined until it has both ends. */
export function stageSeconds(stage: Stage): number | undefined {
  if (!stage.startedAt || !stage.finishedAt) return undefined;
  return Math.max(0, Math.round((Date.parse(stage.finishedAt) - Date.parse(stage.startedAt)) / 1000));
}

export function stageKind(name: string): string {
  return name.split(':')[0] ?? name;
}

export function stageEnvironment(name: string): string | undefined {
  return name.includes(':') ? name.slice(name.indexOf(':') + 1) : undefined;
}

/** Ends a run at its gate without a failure alert: rejected, expired, superseded at the gate, or cancelled. */
export function endAtGate(run: Run, name: string, status: 'cancelled' | 'superseded', summary: string, now: Date): Run {
  const ended = withStage(run, name, { status: 'failed', finishedAt: now.toISOString(), summary }, now);
  return { ...skipRest(ended, now), status };
}

/** Cancels a run wherever it is: the current stage and the rest are skipped. */
export function cancelRun(run: Run, by: string, now: Date): Run {
  return { ...skipRest(run, now, `cancelled by ${by}`), status: 'cancelled', updatedAt: now.toISOString() };
}

/** The OnceStore key where `/slipway cancel` leaves its request for a running run; its worker stops at the next stage. */
export const cancelKey = (runId: string) => `cancel:${runId}`;
