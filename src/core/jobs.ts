import { z } from 'zod';

/** The queues, named for what they carry (DESIGN.md). */
export const RUNS_QUEUE = 'runs';
export const NOTIFICATIONS_QUEUE = 'notifications';
export const GATES_QUEUE = 'gates';
/** Every queue slipway has (the queue dashboard shows them all). */
export const QUEUES = [RUNS_QUEUE, NOTIFICATIONS_QUEUE, GATES_QUEUE] as const;

/** Job data carries only the run id: the run itself (and never a secret) lives in the store. */
export const RunJobData = z.object({ runId: z.string().min(1), stage: z.string().optional() });
export type RunJobData = z.infer<typeof RunJobData>;

/** An approval request to expire when its time is up. */
export const ExpiryJob = z.object({ runId: z.string(), environment: z.string() });
export type ExpiryJob = z.infer<typeof ExpiryJob>;

/** A reminder to whoever has held a lock (since `at`) for a while. */
export const ReminderJob = z.object({ service: z.string(), environment: z.string(), by: z.string(), at: z.string() });
export type ReminderJob = z.infer<typeof ReminderJob>;

export type GateJob = ExpiryJob | ReminderJob;
export const EXPIRE_JOB = 'expire';
export const REMIND_LOCK_JOB = 'remind-lock';
