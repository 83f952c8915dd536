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
  approval: (runId: string, environment: string) => `slipway:approval:${runId}:${environment}`,
  pendingApprovals: (service: string) => `slipway:approvals:pending:${service}`,
  lock: (service: string, environment: string) => `slipway:lock:${service}:${environment}`,
  locks: (service: string) => `slipway:locks:${service}`,
  lockQueue: (service: string, environment: string) => `slipway:lock-queue:${service}:${environment}`,
  approvalVotes: (runId: string, environment: string) => `slipway:approval-votes:${runId}:${environment}`,
  quarantine: (service: string, environment: string) => `slipway:quarantine:${service}:${environment}`,
  pushes: (service: string, branch: string) => `slipway:pushes:${service}:${branch}`,
  freeze: (service: string, environment: string) => `slipway:freeze:${service}:${environment}`,
  passes: (service: string, digest: string) => `slipway:passes:${service}:${digest}`,
  openAlert: (service: string, branch: string, environment: string) => `slipway:open-alert:${service}:${environment}:${branch}`,
  /** Per environment, the GitHub deployment a run made: its id and the last state reported. */
  githubDeployments: (runId: string) => `slipway:github-deployments:${runId}`,
  /** The GitHub deployment live in an environment, to mark inactive when the environment is torn down. */
  liveGithubDeployment: (service: string, environment: string) => `slipway:github-deployment-live:${service}:${environment}`,
  audit: (service: string) => `slipway:audit:${service}`,
  artifact: (runId: string, stage: string, name: string) => `slipway:artifact:${runId}:${stage}:${name}`,
  artifacts: (runId: string) => `slipway:artifacts:${runId}`,
};

export const BULLMQ_PREFIX = 'slipway:q';
