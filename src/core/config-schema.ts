import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { PATH_LIMITS, pathPatternProblem } from './changed-files.js';
import { cloneUrlProblem } from './clone-url.js';
import { IntegrationTests, unreachableUrlProblem } from './integration-tests.js';
import { networkOf } from './container-spec.js';
import { repoKey } from './repo-match.js';
import { branchNameProblem } from './ref-name.js';
import { engineOf, envVarName, isRemoteTarget, NetworkMode, placementKeys, runtimeKeys, sameVariableTwice, Target } from './target-schema.js';

/** `slipway.yml`. Objects are strict so a misspelt key is reported, not silently ignored. */

const name = (what: string) =>
  z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/, `expected a ${what} name of lower-case letters, digits and dashes (max 40)`);

const channelName = z.string().regex(/^(#[a-z0-9_-]+|[CG][A-Z0-9]+)$/, 'expected a channel like #deploys or a channel id like C0123ABCD');
const port = z.number().int().min(1, 'expected a port from 1 to 65535').max(65535, 'expected a port from 1 to 65535');
const path = z.string().startsWith('/', 'expected a path starting with /');
/**
 * How a deployed container is networked: `bridge` (the default) gives it a network namespace of its own with
 * its port published on 127.0.0.1 only, so its code cannot reach slipway's loopback services; `host` shares the
 * host's (and slipway's) network, for engines without a bridge. Unset here: the service's, then `bridge`.
 */
export { NetworkMode } from './target-schema.js';

export const Approvers = z.strictObject({
  users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'expected a Slack user id such as U012AB3CD')).default([]),
  groups: z.array(z.string().regex(/^S[A-Z0-9]+$/, 'expected a Slack user group id such as S0614TZR7')).default([]),
});
export type Approvers = z.infer<typeof Approvers>;

/** Of an environment's approvals, `count` must come from these people (from any approver when both are empty). */
export const ApprovalRule = z.strictObject({
  count: z.number().int().min(1, 'expected at least 1 approval'),
  users: Approvers.shape.users,
  groups: Approvers.shape.groups,
});
export type ApprovalRule = z.infer<typeof ApprovalRule>;

const isCron = (text: string) => {
  try {
    CronExpressionParser.parse(text, { strict: false });
    return text.trim().split(/\s+/).length === 5;
  } catch {
    return false;
  }
};
const isTimeZone = (text: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: text });
    return true;
  } catch {
    return false;
  }
};

/**
 * A span when the environment takes no deploys or promotions: every week (`from` and `until` are cron
 * expressions, read in `timeZone`), or once (both are ISO date-times).
 */
export const FreezeWindow = z
  .strictObject({
    from: z.string().min(1),
    until: z.string().min(1),
    timeZone: z.string().refine(isTimeZone, 'expected an IANA time zone such as Europe/Berlin').default('UTC'),
    reason: z.string().optional(),
  })
  .superRefine((w, ctx) => {
    const kinds = [w.from, w.until].map((t) => (isCron(t) ? 'cron' : z.iso.datetime({ offset: true }).safeParse(t).success ? 'date' : 'bad'));
    kinds.forEach((kind, i) => {
      if (kind === 'bad') ctx.addIssue({ code: 'custom', path: [i === 0 ? 'from' : 'until'], message: 'expected a cron expression like "0 16 * * 5" or an ISO date-time like 2026-12-23T00:00:00Z' });
    });
    if (kinds[0] !== 'bad' && kinds[1] !== 'bad' && kinds[0] !== kinds[1]) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'from and until must both be cron expressions or both date-times' });
    } else if (kinds[0] === 'date' && kinds[1] === 'date' && Date.parse(w.until) <= Date.parse(w.from)) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'expected a date-time after from' });
    }
  });
export type FreezeWindow = z.infer<typeof FreezeWindow>;

export const DatadogCheck = z.strictObject({
  type: z.literal('datadog'),
  publicId: z.string().regex(/^[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}$/, 'expected a Datadog test public id like abc-123-xyz'),
  name: z.string().optional(),
});

export const HttpCheck = z.strictObject({
  type: z.literal('http'),
  name: z.string().min(1),
  path,
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  expectStatus: z.number().int().min(100).max(599).default(200),
  bodyContains: z.string().optional(),
  jsonField: z.strictObject({ path: z.string().min(1), equals: z.unknown() }).optional(),
  maxLatencyMs: z.number().int().positive().optional(),
});

export const BrowserStep = z.union([
  z.strictObject({ goto: path }),
  z.strictObject({ click: z.string().min(1) }),
  z.strictObject({ fill: z.string().min(1), with: z.string() }),
  z.strictObject({ expectText: z.string().min(1) }),
]);

export const BrowserCheck = z.strictObject({
  type: z.literal('browser'),
  name: z.string().min(1),
  steps: z.array(BrowserStep).min(1, 'expected at least one step'),
});

export const SyntheticCheck = z.discriminatedUnion('type', [DatadogCheck, HttpCheck, BrowserCheck]);
export type SyntheticCheck = z.infer<typeof SyntheticCheck>;

export const Environment = z.strictObject({
  name: name('environment'),
  /** Where the environment answers on its host (the proxy's port with blue-green). */
  port,
  /**
   * Where people reach it (shown in Slack). On the local engine health checks go to 127.0.0.1:port; on a remote
   * target they and the synthetics go here, so it is required there.
   */
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  healthPath: path.default('/healthz'),
  healthTimeoutSeconds: z.number().positive().default(60),
  synthetics: z.array(SyntheticCheck).default([]),
  /** How long all of an environment's checks may take together; one without a result by then fails. */
  syntheticsTimeoutSeconds: z.number().positive().default(600),
  /** A container run after each deploy here, before the synthetics (core/integration-tests.ts). */
  integrationTests: IntegrationTests.optional(),
  requireApproval: z.boolean().default(false),
  /** Who may approve this environment; falls back to the service's approvers. */
  approvers: Approvers.optional(),
  allowSelfApproval: z.boolean().default(false),
  approvalExpiresHours: z.number().positive().default(24),
  /** Several approvals (N of M): every rule must be met, and one person counts once. Default: one approver. */
  approvals: z.array(ApprovalRule).min(1, 'expected at least one rule').optional(),
  freezes: z.array(FreezeWindow).default([]),
  network: NetworkMode.optional(),
  ...runtimeKeys,
  ...placementKeys,
});
export type Environment = z.infer<typeof Environment>;

export const BranchRoute = z.strictObject({
  /** A branch name, or a pattern where `*` matches any run of characters (`dev/feature*`). */
  match: z.string().min(1),
  /** An environment's name, or `ephemeral` for one environment per branch. */
  deploy: z.string().min(1),
});
export type BranchRoute = z.infer<typeof BranchRoute>;

const portRange = z
  .string()
  .regex(/^\d{1,5}-\d{1,5}$/, 'expected a port range like 9000-9099')
  .transform((text) => {
    const [from, to] = text.split('-').map(Number) as [number, number];
    return { from, to };
  })
  .refine(({ from, to }) => from >= 1 && to <= 65535 && from <= to, 'expected a range of ports from 1 to 65535, low-high');

export const Ephemeral = z.strictObject({
  ports: portRange,
  healthPath: path.default('/healthz'),
  healthTimeoutSeconds: z.number().positive().default(60),
  synthetics: z.array(SyntheticCheck).default([]),
  syntheticsTimeoutSeconds: z.number().positive().default(600),
  integrationTests: IntegrationTests.optional(),
  network: NetworkMode.optional(),
  ...runtimeKeys,
  /** Unset: slipway's own engine. A swarm runs each branch as a service; on another host, the port is reached there. */
  target: Target.optional().refine((t) => !t || t.kind !== 'kubernetes', 'ephemeral environments run on a Docker engine or a swarm: a Kubernetes Deployment is one fixed environment'),
});

export const CoverageReport = z.strictObject({
  /** Where the test target leaves the report, inside its image. */
  path: z.string().min(1),
  format: z.enum(['lcov', 'cobertura', 'istanbul']),
});

/**
 * A version made when a release reaches the release environment (production): the commit tagged in the
 * repository, the image tagged in the registry, the host's release with notes. Unset: no versions (as before).
 */
export const Releases = z.strictObject({
  /** `semver`: next version from the conventional commits since the last release; `calver`: YYYY.MM.DD.N. */
  versioning: z.enum(['semver', 'calver'], { error: 'expected semver or calver' }),
  /** Put before the version in the git tag and the image tag (`v` → v1.4.0); may be empty. */
  // A git ref and a registry tag both take it: no leading dot or dash, no `..`.
  tagPrefix: z
    .string()
    .regex(/^([A-Za-z0-9_][A-Za-z0-9._-]{0,19})?$/, 'expected up to 20 letters, digits, dots, dashes or underscores, starting with a letter, digit or underscore, like v')
    .refine((prefix) => !prefix.includes('..'), 'expected no ".." (git refuses it in a tag)')
    .default('v'),
  /** The environment whose successful promotion makes a version; the last of `environments` when unset. */
  environment: name('environment').optional(),
});
export type Releases = z.infer<typeof Releases>;

export const Service = z
  .strictObject({
    /** The git repository, as a URL (any of http, ssh or file) or as `owner/name`; matched to webhook payloads. */
    repo: z.string().min(1),
    /** Where to clone from when it is not `repo` (a mirror, a file:// path, or a host other than GitHub for `owner/name`). */
    cloneUrl: z.string().min(1).refine((url) => !cloneUrlProblem(url), { error: (issue) => `the URL ${cloneUrlProblem(String(issue.input))}` }).optional(),
    /** The environment variable that holds an HTTP(S) token for cloning; the token itself stays out of the file. */
    cloneTokenEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name like GIT_TOKEN').optional(),
    /**
     * The environment variable that holds this repository's own webhook secret. Set, deliveries for this
     * service verify with it alone (not with the host-wide secret), so another repository's admin cannot sign
     * pushes in its name.
     */
    webhookSecretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name like DISCOUNTS_WEBHOOK_SECRET').optional(),
    /**
     * Where in the repository the service is built from (globs such as `services/api/**`), for repositories
     * several services share: a push that changes none of these files starts no run for it. Unset: any file.
     */
    paths: z
      .array(z.string().min(1).refine((glob) => !pathPatternProblem(glob), { error: (issue) => `the glob ${pathPatternProblem(String(issue.input))}` }))
      .min(1, 'expected at least one glob, or no paths key to build on every push')
      .max(PATH_LIMITS.patterns, `expected at most ${PATH_LIMITS.patterns} globs`)
      .optional(),
    dockerfile: z.string().min(1).default('Dockerfile'),
    context: z.string().min(1).default('.'),
    lintTarget: z.string().min(1).optional(),
    testTarget: z.string().min(1).optional(),
    /** The build target of the image that runs; the Dockerfile's last stage when unset. */
    buildTarget: z.string().min(1).optional(),
    /**
     * The registry as build cache: a worker whose engine lacks the branch's previous build pulls it (release and
     * test image) and builds from its layers; the test image is pushed with the release (core/build-cache.ts).
     */
    buildCache: z.boolean({ error: 'expected true or false' }).default(true),
    reports: z
      .strictObject({ coverage: CoverageReport.optional(), junit: z.string().min(1).optional() })
      .default({}),
    coverageThreshold: z.number().min(0).max(100).default(80),
    image: z.string().regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/, 'expected an image name like 127.0.0.1:5000/discounts'),
    channel: channelName,
    branches: z.array(BranchRoute).default([{ match: 'main', deploy: 'staging' }]),
    environments: z.array(Environment).min(1, 'expected at least one environment'),
    ephemeral: Ephemeral.optional(),
    approvers: Approvers.default({ users: [], groups: [] }),
    /** The branch others must not fall behind when deployed to a shared environment. */
    defaultBranch: z.string().min(1).refine((b) => !branchNameProblem(b), { error: (issue) => `not a branch name git accepts: it ${branchNameProblem(String(issue.input))}` }).default('main'),
    /** Channels besides `channel` that may command this service. */
    channels: z.array(channelName).default([]),
    /** When a lock's holder is reminded that they still hold it. */
    lockReminderHours: z.number().positive().default(4),
    /** The default `network` of the service's environments (ephemeral ones included). */
    network: NetworkMode.optional(),
    /**
     * `/deploy` comments on pull requests. `forks: true` lets a fork's pull request be deployed (its code is
     * hostile: only to its own ephemeral environment, never to a named one); off, or unset, forks are refused.
     */
    pullRequests: z.strictObject({ forks: z.boolean().default(false) }).optional(),
    releases: Releases.optional(),
  })
  .superRefine((service, ctx) => {
    if (service.releases?.environment && !service.environments.some((e) => e.name === service.releases?.environment)) {
      ctx.addIssue({ code: 'custom', path: ['releases', 'environment'], message: `expected one of the service's environments (${service.environments.map((e) => e.name).join(', ')})` });
    }
    // `repo` is cloned from when it is a URL and there is no cloneUrl: the same rules hold for it.
    const repoProblem = /:\/\/|^[^/@]+@[^:/]+:|::/.test(service.repo) || service.repo.startsWith('-')
      ? cloneUrlProblem(service.repo)
      : /^[\w.-]+(\/[\w.-]+)+$/.test(service.repo) ? undefined : 'is neither a URL nor owner/name';
    if (repoProblem) ctx.addIssue({ code: 'custom', path: ['repo'], message: `the repository ${repoProblem}` });
    const names = service.environments.map((e) => e.name);
    names.forEach((env, i) => {
      if (names.indexOf(env) !== i) {
        ctx.addIssue({ code: 'custom', path: ['environments', i, 'name'], message: `"${env}" is listed twice` });
      }
      if (env === 'ephemeral') {
        ctx.addIssue({ code: 'custom', path: ['environments', i, 'name'], message: '"ephemeral" is reserved' });
      }
    });
    // Ports are per host: environments on different hosts may share one; on one host each is taken once.
    const claims = service.environments.flatMap((env, i) => [
      { port: env.port, path: ['environments', i, 'port'], env },
      ...(env.strategy === 'blue-green' ? env.slots ?? [] : []).map((p, s) => ({ port: p, path: ['environments', i, 'slots', s], env })),
    ]);
    const hostOf = (env: Environment) => (env.target && !engineOf(env.target) ? `api:${env.name}` : engineOf(env.target)?.host ?? 'local');
    claims.forEach((claim, k) => {
      const first = claims.slice(0, k).find((c) => c.port === claim.port && hostOf(c.env) === hostOf(claim.env));
      if (first) ctx.addIssue({ code: 'custom', path: claim.path, message: `port ${claim.port} is already used by ${first.env.name}` });
    });
    service.environments.forEach((env, i) => {
      for (const twice of sameVariableTwice(env)) {
        ctx.addIssue({ code: 'custom', path: ['environments', i, 'secrets', twice], message: `${twice} is in env too: keep it in one of them` });
      }
      if (isRemoteTarget(env.target) && !env.url) {
        ctx.addIssue({ code: 'custom', path: ['environments', i, 'url'], message: `the target is ${engineOf(env.target)?.host ?? env.target?.kind}: health checks and synthetics need the environment's url (e.g. https://${names[i]}.example.com)` });
      }
      if (env.strategy === 'blue-green' && env.target && env.target.kind !== 'docker') {
        ctx.addIssue({ code: 'custom', path: ['environments', i, 'strategy'], message: `a ${env.target.kind} target updates releases itself (rolling): blue-green is for kind: docker` });
      }
      if (env.target && !engineOf(env.target)) {
        const set: string[] = (['containerPort', 'command', 'args', 'memory', 'cpus'] as const).filter((key) => env[key] !== undefined);
        set.push(...(['env', 'secrets', 'labels'] as const).filter((key) => Object.keys(env[key]).length > 0));
        if (env.volumes.length > 0) set.push('volumes');
        for (const key of set) {
          ctx.addIssue({ code: 'custom', path: ['environments', i, key], message: `a ${env.target.kind} target takes only the image from slipway: its own manifest holds the rest` });
        }
      }
      const swarm = env.target?.kind === 'swarm' ? env.target : undefined;
      if (swarm && networkOf(env, service) === 'host' && swarm.update.order === 'start-first') {
        ctx.addIssue({ code: 'custom', path: ['environments', i, 'target', 'update', 'order'], message: 'on the host network the new task cannot start while the old one holds the port: use order: stop-first, or network: bridge' });
      }
      if (env.strategy === 'blue-green' && !env.slots) {
        ctx.addIssue({ code: 'custom', path: ['environments', i, 'slots'], message: 'blue-green needs two slot ports the releases take turns on, e.g. slots: [9101, 9102]' });
      }
      if (env.strategy !== 'blue-green' && (env.slots || env.proxy)) {
        ctx.addIssue({ code: 'custom', path: ['environments', i, env.slots ? 'slots' : 'proxy'], message: 'only strategy: blue-green takes slots and proxy' });
      }
      const unreachable = env.integrationTests && unreachableUrlProblem(env.integrationTests.network ?? networkOf(env, service), env.url ?? `http://127.0.0.1:${env.port}`);
      if (unreachable) ctx.addIssue({ code: 'custom', path: ['environments', i, 'integrationTests', 'network'], message: unreachable });
      if (env.strategy === 'blue-green' && isRemoteTarget(env.target) && !env.proxy?.admin) {
        ctx.addIssue({ code: 'custom', path: ['environments', i, 'proxy', 'admin'], message: `blue-green on ${engineOf(env.target)?.host} needs the admin API of the Caddy on that host: slipway starts its own Caddy only for its local engine` });
      }
    });
    const branchTests = service.ephemeral?.integrationTests;
    // A branch's environment answers on 127.0.0.1:<port> of slipway's engine, or on its remote host.
    const branchUnreachable = branchTests && !isRemoteTarget(service.ephemeral?.target) && unreachableUrlProblem(branchTests.network ?? networkOf(service.ephemeral, service), 'http://127.0.0.1');
    if (branchUnreachable) ctx.addIssue({ code: 'custom', path: ['ephemeral', 'integrationTests', 'network'], message: branchUnreachable });
    service.branches.forEach((route, i) => {
      if (route.deploy === 'ephemeral') {
        if (!service.ephemeral) {
          ctx.addIssue({
            code: 'custom',
            path: ['branches', i, 'deploy'],
            message: 'deploys to ephemeral environments, but the service has no "ephemeral" section',
          });
        }
      } else if (!names.includes(route.deploy)) {
        ctx.addIssue({
          code: 'custom',
          path: ['branches', i, 'deploy'],
          message: `expected "ephemeral" or one of the service's environments (${names.join(', ')}), got "${route.deploy}"`,
        });
      }
    });
    if (service.reports.coverage && !service.testTarget) {
      ctx.addIssue({ code: 'custom', path: ['reports', 'coverage'], message: 'needs testTarget: the report comes from it' });
    }
    if (service.reports.junit && !service.testTarget) {
      ctx.addIssue({ code: 'custom', path: ['reports', 'junit'], message: 'needs testTarget: the report comes from it' });
    }
    service.environments.forEach((env, i) => {
      const approvers = env.approvers ?? service.approvers;
      const named = [approvers, ...(env.approvals ?? [])].some((a) => a.users.length > 0 || a.groups.length > 0);
      if (env.requireApproval && !named) {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', i, 'approvers'],
          message: 'requireApproval is on but nobody may approve: list users or groups here or in the service',
        });
      }
    });
  });
export type Service = z.infer<typeof Service>;

/**
 * Who people are in git, by Slack user id: their commit e-mails and git usernames. Self-approval checks use it
 * before Slack's e-mail lookup, and an author it does not name whom Slack cannot find may not be approved by
 * anyone (slipway cannot tell it is not themselves).
 */
export const People = z.record(
  z.string().regex(/^[UW][A-Z0-9]+$/, 'expected a Slack user id such as U012AB3CD'),
  z.strictObject({
    emails: z.array(z.string().min(3).regex(/@/, 'expected an e-mail address')).default([]),
    usernames: z.array(z.string().min(1)).default([]),
  }),
);
export type People = z.infer<typeof People>;

/** Credentials of one registry: the names of slipway's environment variables that hold them. */
export const RegistryCredentials = z.strictObject({ usernameEnv: envVarName, passwordEnv: envVarName });
export type RegistryCredentials = z.infer<typeof RegistryCredentials>;

export const SlipwayConfig = z
  .strictObject({
    services: z.record(name('service'), Service).default({}),
    people: People.default({}),
    /**
     * Per registry host (`registry.example.com`, `127.0.0.1:5000`): used for every push and for every pull, on
     * whichever engine pulls. A registry not listed here uses `docker login`'s credentials (DOCKER_CONFIG).
     */
    registries: z.record(z.string().regex(/^[a-z0-9.-]+(:\d+)?$/, 'expected a registry host like registry.example.com or 127.0.0.1:5000'), RegistryCredentials).default({}),
  })
  .superRefine((config, ctx) => {
    // Services built from one repository get the same deliveries, which can be signed with one secret only.
    const secretOf = new Map<string, { service: string; secret: string | undefined }>();
    for (const [service, { repo, webhookSecretEnv: secret }] of Object.entries(config.services)) {
      const first = secretOf.get(repoKey(repo));
      if (!first) secretOf.set(repoKey(repo), { service, secret });
      else if (first.secret !== secret) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', service, 'webhookSecretEnv'],
          message: `${service} is built from the same repository as ${first.service}, whose webhooks are signed with ${first.secret ?? 'the host-wide secret'}: give both the same webhookSecretEnv (or neither)`,
        });
      }
    }
  });
export type SlipwayConfig = z.infer<typeof SlipwayConfig>;
export type ServiceConfig = Service & { name: string };

export function serviceList(config: SlipwayConfig): ServiceConfig[] {
  return Object.entries(config.services).map(([serviceName, service]) => ({ ...service, name: serviceName }));
}

/**
 * The names of the variables in slipway's environment that hold secrets slipway.yml points at (clone tokens,
 * webhook secrets, environments' secrets, registry passwords): their values are scrubbed from all output.
 * A registry's user name is no secret: often a word of the image's path (`acme` in registry.example.com/acme/shop)
 * or of slipway's own sentences (`slipway`), it would be cut out of every one of them.
 */
export function secretVariableNames(config: SlipwayConfig): string[] {
  const names = Object.values(config.services).flatMap((service) => [
    service.cloneTokenEnv,
    service.webhookSecretEnv,
    ...[...service.environments, ...(service.ephemeral ? [service.ephemeral] : [])].flatMap((env) =>
      Object.values(env.secrets).flatMap((source) => ('env' in source ? [source.env] : [])),
    ),
  ]);
  const registries = Object.values(config.registries).map((r) => r.passwordEnv);
  return [...new Set([...names, ...registries].filter((n): n is string => !!n))];
}
