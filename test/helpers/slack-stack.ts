import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { FakeSlack } from '../fakes/fake-slack.js';
import { removeContainersOf } from './containers.js';
import { RunWatch } from './run-watch.js';
import { createSampleRepo, type SampleRepo } from './sample-repo.js';
import { slackUsers } from './slack-users.js';
import { SECRETS, startTestSlipway, type TestSlipway } from './test-slipway.js';

export type SlackStackOptions = {
  /** The service the config deploys: its containers are removed when slipway is (re)started and at the end. */
  service: string;
  /** `slipway.yml`, given the sample repository's URL. */
  config(repoUrl: string): string;
  /** E-mail → Slack id, as `users.lookupByEmail` answers. */
  slackUsers?: Record<string, string>;
  token?: string;
  signingSecret?: string;
  /** More of slipway's environment (`SLIPWAY_PUBLIC_URL`, …). */
  env?: Record<string, string>;
};

/**
 * The whole product as a team meets it: a sample repository whose post-receive hook sends signed webhooks,
 * slipway (server and workers, its own Redis) and a fake Slack, with signed people and a run watcher. Fields
 * are read through getters, so helpers made at module level keep working after `restart`.
 */
export async function startSlackStack(options: SlackStackOptions) {
  const { token = 'xoxb-slack-stack', signingSecret = 'slack-stack-signing-secret' } = options;
  const repo: SampleRepo = await createSampleRepo();
  const slack = new FakeSlack({ token, users: options.slackUsers ?? { 'ann@example.com': 'U0ANN' } });
  await slack.start();
  let slipway: TestSlipway | undefined;

  async function restart(config = options.config): Promise<void> {
    await slipway?.stop();
    await removeContainersOf(options.service);
    slipway = await startTestSlipway({
      config: config(repo.url),
      env: { SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.url, ...options.env },
      mode: 'all',
    });
    await repo.connect(`${slipway.url}/webhooks/gogs`, SECRETS.GOGS_WEBHOOK_SECRET);
  }
  await restart();

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
    /** slipway again on a fresh Redis, with another config (the repository and Slack stay). */
    restart,
    async stop(): Promise<void> {
      await slipway?.stop();
      await slack.stop();
      await removeContainersOf(options.service);
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
    restart: (config) => now().restart(config),
    stop: () => now().stop(),
  };
}
