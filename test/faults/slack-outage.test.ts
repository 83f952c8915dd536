import { describe, expect, it } from 'vitest';
import { served } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

// What must hold when Slack misbehaves (429 with Retry-After, 500s, calls that time out): the run is not
// held up, its message is posted once and its updates arrive in order, ending on the final state.
const PORT = 18897;

const config = (repoUrl: string) =>
  sampleConfig({ service: 'chatty', repoUrl, image: 'slipway-faults-chatty', staging: { port: PORT, healthTimeoutSeconds: 10 } });

const stack = useSlackStack({ config, slackUsers: {} });

const RANK: Record<string, number> = { queued: 0, running: 1, passed: 2 };
const stateOf = (text: string) => /: (queued|running|passed|failed)/.exec(text)?.[1] ?? '';

describe('Slack failing', { timeout: 180_000 }, () => {
  it('posts the run message once and updates it in order through a 429, 500s and a call that times out', async () => {
    stack.slack.failNext('chat.postMessage', 1, { hangMs: 15_000 }); // longer than the client's 10 s timeout
    stack.slack.failNext('chat.postMessage', 1, { status: 429, retryAfterSeconds: 1 });
    stack.slack.failNext('chat.update', 2, { status: 500 });
    stack.slack.failNext('chat.update', 1, { hangMs: 15_000 });
    await stack.repo.commit({ 'www/version': 's1\n' }, 'Version s1');
    const started = Date.now();
    const { runId } = await stack.repo.push('main');

    // The run does not wait for Slack: it is deployed while the first post is still timing out.
    await stack.watch.settled(runId!, { status: 'passed' });
    expect(await served(PORT)).toBe('s1');
    const run = await stack.slipway.runs.get(runId!);
    expect(Date.parse(run!.updatedAt) - started).toBeLessThan(10_000);

    expect(stack.slack.failed.map((f) => `${f.method} ${f.status}`)).toEqual(['chat.postMessage 0', 'chat.postMessage 429', 'chat.update 500', 'chat.update 500', 'chat.update 0']);
    expect(stack.watch.topLevelPosts(runId!)).toHaveLength(1);
    const ts = stack.slack.answerTs(stack.watch.topLevelPosts(runId!)[0]!);
    const states = stack.slack.callsOf('chat.update').filter((c) => c.args.ts === ts).map((c) => stateOf(String(c.args.text)));
    expect(states.at(-1)).toBe('passed');
    for (let i = 1; i < states.length; i += 1) expect(RANK[states[i]!]).toBeGreaterThanOrEqual(RANK[states[i - 1]!]!);
  });
});
