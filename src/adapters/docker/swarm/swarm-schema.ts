import { z } from 'zod';

/** The parts of the Engine API's swarm answers slipway reads (services, tasks, secrets). */

const labels = z.record(z.string(), z.string()).nullish().transform((value) => value ?? {});

export const UpdateStatus = z.object({
  State: z.string().optional(),
  StartedAt: z.string().optional(),
  CompletedAt: z.string().optional(),
  Message: z.string().optional(),
});
export type UpdateStatus = z.infer<typeof UpdateStatus>;

const ServiceSpec = z.looseObject({
  Labels: labels,
  TaskTemplate: z.looseObject({
    ContainerSpec: z.looseObject({
      Image: z.string(),
      Labels: labels,
      Secrets: z.array(z.object({ SecretID: z.string() })).nullish(),
    }),
  }),
  Mode: z.looseObject({ Replicated: z.object({ Replicas: z.number() }).optional() }).optional(),
});

export const SwarmService = z.object({
  ID: z.string(),
  Version: z.object({ Index: z.number() }),
  Spec: ServiceSpec,
  PreviousSpec: ServiceSpec.optional(),
  UpdateStatus: UpdateStatus.nullish(),
});
export type SwarmService = z.infer<typeof SwarmService>;

export const SwarmTask = z.object({
  ID: z.string(),
  DesiredState: z.string(),
  Status: z.object({
    State: z.string(),
    Err: z.string().optional(),
    Message: z.string().optional(),
    ContainerStatus: z.object({ ContainerID: z.string().optional() }).optional(),
  }),
  Spec: z.object({ ContainerSpec: z.object({ Image: z.string(), Labels: labels }) }),
});
export type SwarmTask = z.infer<typeof SwarmTask>;

export const SwarmSecret = z.object({
  ID: z.string(),
  Spec: z.object({ Name: z.string(), Labels: labels }),
});
export type SwarmSecret = z.infer<typeof SwarmSecret>;
