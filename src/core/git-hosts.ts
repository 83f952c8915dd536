/**
 * Every git host slipway takes webhooks from: the one list the routes (`/webhooks/<name>`), the payload schemas,
 * the env schema, the log's redaction and the adapters' registry are all read from. A new host is a line here
 * and its adapter.
 */
export const GIT_HOST_FACTS = {
  github: { secretEnv: 'GITHUB_WEBHOOK_SECRET', signatureHeader: 'x-hub-signature-256', baseUrl: 'https://github.com' },
  gogs: { secretEnv: 'GOGS_WEBHOOK_SECRET', signatureHeader: 'x-gogs-signature' },
  // Gitea signs as Gogs does, with the same secret: one variable serves both.
  gitea: { secretEnv: 'GOGS_WEBHOOK_SECRET', signatureHeader: 'x-gitea-signature' },
  gitlab: { secretEnv: 'GITLAB_WEBHOOK_TOKEN', signatureHeader: 'x-gitlab-token' },
} as const satisfies Record<string, { secretEnv: string; signatureHeader: string; baseUrl?: string }>;

export type GitHost = keyof typeof GIT_HOST_FACTS;
export type WebhookSecretEnv = (typeof GIT_HOST_FACTS)[GitHost]['secretEnv'];

export const GIT_HOSTS = Object.keys(GIT_HOST_FACTS) as [GitHost, ...GitHost[]];

/** The variables webhook secrets are read from, each once. */
export const WEBHOOK_SECRET_ENVS = [...new Set(GIT_HOSTS.map((host) => GIT_HOST_FACTS[host].secretEnv))] as WebhookSecretEnv[];

/** The headers that carry a host's signature or token: never logged. */
export const SIGNATURE_HEADERS = GIT_HOSTS.map((host) => GIT_HOST_FACTS[host].signatureHeader);

/** Where a repository named `owner/name` is on the host, when the host has one public address. */
export function hostBaseUrl(host: GitHost): string | undefined {
  const facts = GIT_HOST_FACTS[host];
  return 'baseUrl' in facts ? facts.baseUrl : undefined;
}
