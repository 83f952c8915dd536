import { z } from 'zod';
import { WEBHOOK_SECRET_ENVS, type WebhookSecretEnv } from './git-hosts.js';

const optionalText = z.string().min(1).optional();
/** One variable per git host's webhook secret (core/git-hosts.ts). */
const webhookSecrets = Object.fromEntries(WEBHOOK_SECRET_ENVS.map((name) => [name, optionalText])) as Record<WebhookSecretEnv, typeof optionalText>;
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional();

/** The environment variables of DESIGN.md's contract; every one optional, each checked at start-up. */
export const Env = z.object({
  PORT: z.coerce
    .number({ error: 'expected a port number' })
    .int('expected a whole port number')
    .min(0, 'expected a port from 0 to 65535')
    .max(65535, 'expected a port from 0 to 65535')
    .default(3000),
  SLIPWAY_CONFIG: z.string().min(1).default('./slipway.yml'),
  SLIPWAY_PUBLIC_URL: httpUrl,
  /** Signs what approvers approve; unset, a key is made in the data dir (one machine only). */
  SLIPWAY_SIGNING_KEY: z.string().min(32, 'expected at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' }).optional(),
  DOCKER_HOST: optionalText,
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'expected a bot token starting with xoxb-').optional(),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'expected an app-level token starting with xapp-').optional(),
  SLACK_API_URL: httpUrl,
  ...webhookSecrets,
  GITHUB_TOKEN: optionalText,
  GITHUB_API_URL: httpUrl,
  GITEA_TOKEN: optionalText,
  GITEA_API_URL: httpUrl,
  /** Tags and releases on GitLab (releases: in slipway.yml); the API is gitlab.com's unless GITLAB_API_URL says. */
  GITLAB_TOKEN: optionalText,
  GITLAB_API_URL: httpUrl,
  DD_API_KEY: optionalText,
  DD_APP_KEY: optionalText,
  DD_SITE: optionalText,
  DATADOG_API_URL: httpUrl,
  SLIPWAY_CHROMIUM: z.string().min(1).default('/usr/bin/chromium'),
  SLIPWAY_WORKER_CONCURRENCY: z.coerce
    .number({ error: 'expected a whole number of runs' })
    .int('expected a whole number of runs')
    .min(1, 'expected at least 1')
    .max(64, 'expected at most 64')
    .default(2),
  SLIPWAY_STALLED_SECONDS: z.coerce
    .number({ error: 'expected a whole number of seconds' })
    .int('expected a whole number of seconds')
    .min(2, 'expected at least 2')
    .max(600, 'expected at most 600')
    .default(30),
  /** The queue dashboard (/admin/queues) is on when a token or a user and password are set (core/admin-access.ts). */
  SLIPWAY_ADMIN_TOKEN: z.string().min(32, 'expected at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  SLIPWAY_ADMIN_USER: z.string().min(1).regex(/^[^:]+$/, 'expected a user name without ":" (basic auth splits on it)').optional(),
  SLIPWAY_ADMIN_PASSWORD: z.string().min(16, 'expected at least 16 characters (e.g. openssl rand -base64 24)').optional(),
  /** Lets the dashboard retry, clean (remove) and promote jobs; read-only unless true. */
  SLIPWAY_ADMIN_WRITE: z.stringbool({ error: 'expected true or false' }).default(false),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
}).superRefine((env, ctx) => {
  if (env.SLACK_BOT_TOKEN && !env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['SLACK_SIGNING_SECRET'],
      message: 'required with SLACK_BOT_TOKEN (find it under Basic Information in the Slack app settings)',
    });
  }
  if (env.GITEA_TOKEN && !env.GITEA_API_URL) {
    ctx.addIssue({ code: 'custom', path: ['GITEA_API_URL'], message: 'required with GITEA_TOKEN, e.g. https://gitea.example.com/api/v1' });
  }
  if (!!env.SLIPWAY_ADMIN_USER !== !!env.SLIPWAY_ADMIN_PASSWORD) {
    const missing = env.SLIPWAY_ADMIN_USER ? 'SLIPWAY_ADMIN_PASSWORD' : 'SLIPWAY_ADMIN_USER';
    ctx.addIssue({ code: 'custom', path: [missing], message: `required with ${missing === 'SLIPWAY_ADMIN_USER' ? 'SLIPWAY_ADMIN_PASSWORD' : 'SLIPWAY_ADMIN_USER'} (the queue dashboard's basic-auth credentials come as a pair)` });
  }
  if (env.SLIPWAY_ADMIN_WRITE && !env.SLIPWAY_ADMIN_TOKEN && !env.SLIPWAY_ADMIN_PASSWORD) {
    ctx.addIssue({ code: 'custom', path: ['SLIPWAY_ADMIN_WRITE'], message: 'the queue dashboard is off: set SLIPWAY_ADMIN_TOKEN or SLIPWAY_ADMIN_USER and SLIPWAY_ADMIN_PASSWORD to turn it on' });
  }
  if (env.SLACK_APP_TOKEN && !env.SLACK_BOT_TOKEN) {
    ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'required with SLACK_APP_TOKEN' });
  }
});
export type Env = z.infer<typeof Env>;

/** Names of env values that are secrets: scrubbed from logs and output. */
export const SECRET_ENV_KEYS = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  ...WEBHOOK_SECRET_ENVS,
  'GITHUB_TOKEN',
  'GITEA_TOKEN',
  'GITLAB_TOKEN',
  'DD_API_KEY',
  'DD_APP_KEY',
  'SLIPWAY_SIGNING_KEY',
  'SLIPWAY_ADMIN_TOKEN',
  'SLIPWAY_ADMIN_PASSWORD',
] as const satisfies readonly (keyof Env)[];

/** Every secret value slipway knows of: the env's, and the clone tokens the services name. */
export function secretValues(env: Env, cloneTokenEnvs: readonly (string | undefined)[], processEnv: Record<string, string | undefined>): string[] {
  const values = [
    ...SECRET_ENV_KEYS.map((key) => env[key]),
    ...cloneTokenEnvs.map((name) => (name ? processEnv[name] : undefined)),
    redisPassword(env.REDIS_URL),
  ];
  return values.filter((v): v is string => !!v);
}

/** The password a `redis://:PASSWORD@host:port` URL carries (the URL is checked by `Env`, so it parses). */
function redisPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const { password } = new URL(url);
  return password ? decodeURIComponent(password) : undefined;
}
