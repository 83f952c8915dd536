import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isFinished } from '../../src/core/run.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { until } from '../helpers/run-watch.js';
import { removeContainersOf } from '../helpers/containers.js';
import { createSampleRepo, type SampleRepo } from '../helpers/sample-repo.js';
import { SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';

const GITHUB_TOKEN = 'ghp_statuses_test_token';
const REPO_URL = 'https://github.com/acme/statuses.git';

let repo: SampleRepo;
let github: FakeGitHub;
let slipway: TestSlipway;

beforeAll(async () => {
  repo = await createSampleRepo();
  await repo.push('main');
  github = new FakeGitHub(GITHUB_TOKEN);
  await github.start();
  slipway = await startTestSlipway({
    mode: 'all',
    config: `
services:
  statuses:
    repo: ${REPO_URL}
    cloneUrl: ${repo.url}
    buildTarget: app
    image: 127.0.0.1:5000/slipway-e2e-statuses
    channel: "#statuses"
    channels: ["#deploys", "#sample"]   # where the fake Slack's commands and buttons come from
    environments:
      - { name: staging, port: 18480, healthTimeoutSeconds: 5 }
`,
    env: { GITHUB_TOKEN, GITHUB_API_URL: github.url, SLIPWAY_PUBLIC_URL: 'https://slipway.example.com' },
  });
}, 60_000);

afterAll(async () => {
  await slipway?.stop();
  await github?.stop();
  await removeContainersOf('statuses');
  await repo?.remove();
});

afterEach(() => {
  expect(github.problems).toEqual([]);
});

async function pushFromGitHub(sha: string): Promise<string> {
  const body = JSON.stringify(pushPayload('github', { repoUrl: REPO_URL, after: sha }));
  const res = await fetch(`${slipway.url}/webhooks/github`, { method: 'POST', body, headers: deliveryHeaders('github', body, SECRETS.GITHUB_WEBHOOK_SECRET) });
  return ((await res.json()) as { runId: string }).runId;
}

const ofSha = (sha: string) => github.statuses.filter((s) => s.sha === sha);

describe('commit statuses on GitHub', { timeout: 120_000 }, () => {
  it('reports pending, then success with the run page link, on the pushed commit', async () => {
    const sha = await repo.head();
    const runId = await pushFromGitHub(sha);
    await until(async () => ofSha(sha).find((s) => s.state === 'success'), 'the success status');

    const states = ofSha(sha);
    expect(states[0]).toMatchObject({ owner: 'Codertocat', repo: 'Hello-World', state: 'pending', description: 'queued', context: 'slipway' });
    expect(states.map((s) => s.state)).toEqual(['pending', 'pending', 'success']);
    expect(states.at(-1)).toMatchObject({ description: 'deployed to staging', target_url: expect.stringMatching(new RegExp(`^https://slipway.example.com/runs/${runId}\\?sig=[0-9a-f]{32}$`)) });
  });

  it('reports failure with the failed stage on a commit that cannot be checked out', async () => {
    const sha = 'deadbeef'.repeat(5);
    const runId = await pushFromGitHub(sha);
    await until(async () => {
      const run = await slipway.runs.get(runId);
      return run && isFinished(run) ? run : undefined;
    }, 'the run to end');
    await until(async () => ofSha(sha).find((s) => s.state === 'failure'), 'the failure status');
    expect(ofSha(sha).at(-1)?.description).toMatch(/^failed at checkout: /);
  });
});
