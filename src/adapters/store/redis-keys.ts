/** Every key slipway writes starts with `slipway:`; BullMQ's keys start with `slipway:q:`. */
export const keys = {
  run: (id: string) => `slipway:run:${id}`,
  runsOfService: (service: string) => `slipway:runs:${service}`,
  once: (key: string) => `slipway:once:${key}`,
  release: (service: string, sha: string) => `slipway:release:${service}:${sha}`,
  releasesOnBranch: (service: string, branch: string) => `slipway:releases:${service}:${branch}`,
  deployments: (service: string, environment: string) => `slipway:deployments:${service}:${environment}`,
  ports: (service: string) => `slipway:ports:${service}`,
  log: (runId: string, stage: string) => `slipway:log:${runId}:${stage}`,
  lease: (key: string) => `slipway:lease:${key}`,
  slackMessage: (runId: string) => `slipway:slack:${runId}`,
};

export const BULLMQ_PREFIX = 'slipway:q';
