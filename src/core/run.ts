import { z } from 'zod';

export const STAGE_STATUSES = ['pending', 'running', 'passed', 'failed', 'skipped'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

/** `waiting` is a run parked at an approval gate; `superseded` lost to a newer run for the same environment. */
export const RUN_STATUSES = ['queued', 'running', 'waiting', 'passed', 'failed', 'cancelled', 'superseded'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'waiting'];

export const TRIGGERS = ['push', 'deploy', 'retry', 'delete'] as const;
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
  | `synthetics:${string}`
  | `approval:${string}`
  | `teardown:${string}`;

const person = z.object({ name: z.string(), email: z.string().optional(), username: z.string().optional() });

export const Stage = z.object({
  name: z.custom<StageName>((value) => typeof value === 'string' && value.length > 0),
  status: z.enum(STAGE_STATUSES),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** One short line for Slack: "42 passed", "83.1 %", the cause of a failure. */
  summary: z.string().optional(),
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
  commits: z.array(z.object({ sha: z.string(), message: z.string(), author: person })),
  /** The environment the branch routes to; ephemeral ones are named per branch. */
  target: z.object({ environment: z.string(), ephemeral: z.boolean() }),
  stages: z.array(Stage),
  status: z.enum(RUN_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  deliveryId: z.string().optional(),
});
export type Run = z.infer<typeof Run>;

export type NewRun = Omit<Run, 'stages' | 'status' | 'createdAt' | 'updatedAt'> & { stages: readonly StageName[] };

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

export function isActive(run: Run): boolean {
  return ACTIVE_RUN_STATUSES.includes(run.status);
}
