import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../fakes/fake-slack.js';
import { removeContainersOf } from '../helpers/containers.js';
import { RunWatch, served } from '../helpers/run-watch.js';
import { createSampleRepo, type SampleRepo } from '../helpers/sample-repo.js';
import { SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';

// What must hold when Slack misbehaves (429 with Retry-After, 500s, calls that time out): the run is not
// held up, its message is posted once and its updates arrive in order, ending on the final state.
const TOKEN = 'xoxb-faults-slack';
const PORT = 18897;

let repo: SampleRepo;
let slack: FakeSlack;
let slipway: TestSlipway;
const watch = new RunWatch(() => slipway, () => slack);

beforeAll(async () => {
  repo = await createSampleRepo();
  slack = new FakeSlack({ token: TOKEN });
  await slack.start();
  slipway = await startTestSlipway({
    config: `
services:
  chatty:
    repo: ${repo.url}
    buildTarget: app
    image: 127.0.0.1:5000/slipway-faults-chatty
    network: host
    channel: "#chatty"
    environments:
      - { name: staging, port: ${PORT}, healthTimeoutSeconds: 10 }
`,
    env: { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'faults-slack-signing', SLACK_API_URL: slack.url },
    mode: 'all',
  });
  await repo.connect(`${slipway.url}/webhooks/gogs`, SECRETS.GOGS_WEBHOOK_SECRET);
}, 60_000);

afterAll(async () => {
  await slipway?.stop();
  await slack?.stop();
  await removeContainersOf('chatty');
  await repo?.remove();
});

afterEach(() => {
  expect(slack.unexpected).toEqual([]);
});

const RANK: Record<string, number> = { queued: 0, running: 1, passed: 2 };
const stateOf = (text: string) => /: (queued|running|passed|failed)/.exec(text)?.[1] ?? '';

describe('Slack failing', { timeout: 180_000 }, () => {
  it('posts the run message once and updates it in order through a 429, 500s and a call that times out', async () => {
    slack.failNext('chat.postMessage', 1, { hangMs: 15_000 }); // longer than the client's 10 s timeout
    slack.failNext('chat.postMessage', 1, { status: 429, retryAfterSeconds: 1 });
    slack.failNext('chat.update', 2, { status: 500 });
    slack.failNext('chat.update', 1, { hangMs: 15_000 });
    await repo.commit({ 'www/version': 's1\n' }, 'Version s1');
    const started = Date.now();
    const { runId } = await repo.push('main');

    // The run does not wait for Slack: it is deployed while the first post is still timing out.
    await watch.settled(runId!, { status: 'passed' });
    expect(await served(PORT)).toBe('s1');
    const run = await slipway.runs.get(runId!);
    expect(Date.parse(run!.updatedAt) - started).toBeLessThan(10_000);

    expect(slack.failed.map((f) => `${f.method} ${f.status}`)).toEqual(['chat.postMessage 0', 'chat.postMessage 429', 'chat.update 500', 'chat.update 500', 'chat.update 0']);
    expect(watch.topLevelPosts(runId!)).toHaveLength(1);
    const ts = slack.answerTs(watch.topLevelPosts(runId!)[0]!);
    const states = slack.callsOf('chat.update').filter((c) => c.args.ts === ts).map((c) => stateOf(String(c.args.text)));
    expect(states.at(-1)).toBe('passed');
    for (let i = 1; i < states.length; i += 1) expect(RANK[states[i]!]).toBeGreaterThanOrEqual(RANK[states[i - 1]!]!);
  });
});
