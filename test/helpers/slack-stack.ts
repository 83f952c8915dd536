import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { EmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { parseConfig } from '../../src/config.js';
import type { SlipwayMode } from '../../src/slipway.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { removeContainersOf } from './containers.js';
import { RunWatch } from './run-watch.js';
import { createSampleRepo, type SampleRepo } from './sample-repo.js';
import { slackUsers } from './slack-users.js';
import { SECRETS, startTestSlipway, type TestSlipway } from './test-slipway.js';

/** `slipway.yml`, given the sample repository's URL (a config that names another repository ignores it). */
export type StackConfig = (repoUrl: string) => string;

export type SlackStackOptions = {
  config: StackConfig;
  /** What the file does to the sample repository before slipway first hears of it (its pushes go unsent). */
  prepare?: (repo: SampleRepo) => Promise<unknown>;
  /** E-mail → Slack id, as `users.lookupByEmail` answers. */
  slackUsers?: Record<string, string>;
  /** User group id → member ids, as `usergroups.users.list` answers. */
  slackGroups?: Record<string, string[]>;
  token?: string;
  signingSecret?: string;
  /**
   * More of slipway's environment (`SLIPWAY_PUBLIC_URL`, `PORT`, …). A function is read at each start: for the
   * URL of a fake the file starts in a `beforeAll` of its own, registered before this stack.
   */
  env?: Record<string, string> | (() => Record<string, string>);
  /** `server` alone keeps queued runs queued; `all` (the default) runs them too. */
  mode?: SlipwayMode;
  /** false: slipway is not told of Slack (console mode); the fake listens all the same and must get nothing. */
  slack?: boolean;
  /** The process environment slipway reads secrets and registry credentials from; a function is read at each start. */
  processEnv?: NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv);
  /** A clock of the test's own (freeze windows). */
  now?: () => Date;
  /**
   * A Redis the file starts before this stack and stops after it (to restart it, or to find it on a fixed
   * port): slipway runs on it every time it starts. Without it, slipway has a Redis of its own.
   */
  redis?: () => EmbeddedRedis;
};

const valueOf = <T extends object>(given: T | (() => T) | undefined): T | undefined => (typeof given === 'function' ? given() : given);

export type RestartOptions = {
  /** Starts slipway on the Redis it ran on, with its runs, releases and containers; else on a fresh one. */
  keepData?: boolean;
};

/**
 * The whole product as a team meets it: a sample repository whose post-receive hook sends signed webhooks,
 * slipway (server and workers, its own Redis) and a fake Slack, with signed people and a run watcher. Fields
 * are read through getters, so helpers made at module level keep working after `restart`.
 */
export async function startSlackStack(options: SlackStackOptions) {
  const { token = 'xoxb-slack-stack', signingSecret = 'slack-stack-signing-secret', mode = 'all' } = options;
  const repo: SampleRepo = await createSampleRepo();
  await options.prepare?.(repo);
  const slack = new FakeSlack({ token, users: options.slackUsers ?? { 'ann@example.com': 'U0ANN' }, groups: options.slackGroups });
  await slack.start();
  let slipway: TestSlipway | undefined;
  /** A Redis a previous slipway left for the next one: the stack stops it at the end. */
  let keptRedis: EmbeddedRedis | undefined;
  let services: string[] = [];

  const removeContainers = async () => {
    for (const service of services) await removeContainersOf(service);
  };

  /** `fresh`: slipway knows nothing of containers left from before (this config's services or the last one's). */
  async function start(config: StackConfig, { fresh }: { fresh: boolean }): Promise<void> {
    const text = config(repo.url);
    const named = Object.keys(parseConfig(text).services);
    if (fresh) for (const service of new Set([...services, ...named])) await removeContainersOf(service);
    services = named;
    const slackEnv: Record<string, string> = options.slack === false ? {} : { SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.url };
    slipway = await startTestSlipway({
      config: text,
      env: { ...slackEnv, ...valueOf(options.env) },
      mode,
      processEnv: valueOf(options.processEnv),
      sharedRedis: options.redis?.() ?? keptRedis,
      now: options.now,
    });
    await repo.connect(`${slipway.url}/webhooks/gogs`, SECRETS.GOGS_WEBHOOK_SECRET);
  }

  /** slipway again with another config (the repository and Slack stay), on a fresh Redis unless told. */
  async function restart(config = options.config, { keepData = false }: RestartOptions = {}): Promise<void> {
    if (keepData && !options.redis) keptRedis = slipway?.redisServer;
    await slipway?.stop({ keepRedis: keepData });
    if (!keepData) {
      await keptRedis?.stop();
      keptRedis = undefined;
    }
    await start(config, { fresh: !keepData && !options.redis });
  }

  await start(options.config, { fresh: true });

  const current = () => {
    if (!slipway) throw new Error('slipway is not running');
    return slipway;
  };
  return {
    repo,
    slack,
    get slipway() {
      return current();
    },
    watch: new RunWatch(current, () => slack),
    users: slackUsers(() => current().url, () => slack, signingSecret),
    restart,
    async stop(): Promise<void> {
      await slipway?.stop();
      await keptRedis?.stop();
      await slack.stop();
      await removeContainers();
      await repo.remove();
    },
  };
}

export type SlackStack = Awaited<ReturnType<typeof startSlackStack>>;

/**
 * A describe file's stack: started before its tests, stopped after them, and after each test no call the fake
 * Slack did not expect (or refused, as Slack would). Read its fields inside tests and hooks.
 */
export function useSlackStack(options: SlackStackOptions): SlackStack {
  let started: SlackStack | undefined;
  beforeAll(async () => {
    started = await startSlackStack(options);
  }, 60_000);
  afterAll(async () => {
    await started?.stop();
  });
  afterEach(() => {
    expect(now().slack.unexpected).toEqual([]);
  });
  const now = () => {
    if (!started) throw new Error('the stack starts in beforeAll: read it inside tests and hooks');
    return started;
  };
  return {
    get repo() { return now().repo; },
    get slack() { return now().slack; },
    get slipway() { return now().slipway; },
    get watch() { return now().watch; },
    get users() { return now().users; },
    restart: (config, restartOptions) => now().restart(config, restartOptions),
    stop: () => now().stop(),
  };
}
