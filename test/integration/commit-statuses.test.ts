import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isFinished } from '../../src/core/run.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';
import { SECRETS } from '../helpers/test-slipway.js';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';

const GITHUB_TOKEN = 'ghp_statuses_test_token';
const GITEA_TOKEN = 'gitea_statuses_test_token';
const REPO_URL = 'https://github.com/acme/statuses.git';
const GITEA_REPO_URL = 'https://gitea.example.com/acme/discounts.git';

// Two services built from the sample repository, named after a GitHub and a Gitea repository: pushes come as
// those hosts' webhooks, and each host's fake gets the commit statuses.
const config = (cloneUrl: string) =>
  sampleConfig(
    {
      service: 'statuses',
      repoUrl: REPO_URL,
      cloneUrl,
      image: 'slipway-e2e-statuses',
      channels: ['#deploys', '#sample'], // where the fake Slack's commands and buttons come from
      branches: [
        { match: 'main', deploy: 'staging' },
        { match: 'feature/*', deploy: 'ephemeral' },
      ],
      staging: { port: 18480, url: 'https://staging.statuses.example.com' },
      ephemeral: { ports: '18482-18483', healthTimeoutSeconds: 5 },
    },
    { service: 'gitea-statuses', repoUrl: GITEA_REPO_URL, cloneUrl, image: 'slipway-e2e-statuses', channel: '#statuses', staging: 18481 },
  );

const github = new FakeGitHub(GITHUB_TOKEN);
const gitea = new FakeGitHub(GITEA_TOKEN);
// Before the stack's: slipway is told the fakes' URLs when it starts.
beforeAll(() => Promise.all([github.start(), gitea.start()]));
afterAll(() => Promise.all([github.stop(), gitea.stop()]));
afterEach(() => {
  expect(github.problems).toEqual([]);
  expect(gitea.problems).toEqual([]);
});

const stack = useSlackStack({
  config,
  // The services clone main from the sample repository.
  prepare: (repo) => repo.push('main'),
  slack: false,
  env: () => ({ GITHUB_TOKEN, GITHUB_API_URL: github.url, GITEA_TOKEN, GITEA_API_URL: `${gitea.url}/api/v1`, SLIPWAY_PUBLIC_URL: 'https://slipway.example.com' }),
});

async function pushFrom(host: 'github' | 'gitea', sha: string, { ref = 'refs/heads/main', deleted = false } = {}): Promise<string> {
  const body = JSON.stringify(pushPayload(host, { repoUrl: host === 'github' ? REPO_URL : GITEA_REPO_URL, after: sha, ref, deleted }));
  const secret = host === 'github' ? SECRETS.GITHUB_WEBHOOK_SECRET : SECRETS.GOGS_WEBHOOK_SECRET;
  const res = await fetch(`${stack.slipway.url}/webhooks/${host}`, { method: 'POST', body, headers: deliveryHeaders(host, body, secret) });
  return ((await res.json()) as { runId: string }).runId;
}
const pushFromGitHub = (sha: string) => pushFrom('github', sha);
const ended = (runId: string) =>
  until(async () => {
    const run = await stack.slipway.runs.get(runId);
    return run && isFinished(run) ? run : undefined;
  }, `run ${runId} to end`);

const ofSha = (sha: string) => github.statuses.filter((s) => s.sha === sha);

describe('commit statuses on GitHub', { timeout: 120_000 }, () => {
  it('reports pending, then success with the run page link, on the pushed commit', async () => {
    const sha = await stack.repo.head();
    const runId = await pushFromGitHub(sha);
    await until(async () => ofSha(sha).find((s) => s.state === 'success'), 'the success status');

    const states = ofSha(sha);
    expect(states[0]).toMatchObject({ owner: 'acme', repo: 'statuses', state: 'pending', description: 'queued', context: 'slipway' });
    expect(states.map((s) => s.state)).toEqual(['pending', 'pending', 'success']);
    expect(states.at(-1)).toMatchObject({ description: 'deployed to staging', target_url: expect.stringMatching(new RegExp(`^https://slipway.example.com/runs/${runId}\\?sig=[0-9a-f]{32}$`)) });
  });

  it('reports failure with the failed stage on a commit that cannot be checked out', async () => {
    const sha = 'deadbeef'.repeat(5);
    const runId = await pushFromGitHub(sha);
    await ended(runId);
    await until(async () => ofSha(sha).find((s) => s.state === 'failure'), 'the failure status');
    expect(ofSha(sha).at(-1)?.description).toMatch(/^failed at checkout: /);
  });
});

describe('deployments on GitHub', { timeout: 120_000 }, () => {
  it('records each deployment: queued, in_progress, success with the environment and run page URLs', async () => {
    const sha = await stack.repo.head();
    await until(async () => (github.statesOf('staging')[0]?.includes('success') ? true : undefined), 'the staging deployment to succeed');
    const deployment = github.deployments.find((d) => d.environment === 'staging')!;
    expect(deployment).toMatchObject({ owner: 'acme', repo: 'statuses', ref: sha, required_contexts: [], auto_merge: false, transient_environment: false, production_environment: true });
    expect(github.statesOf('staging')[0]).toEqual(['queued', 'in_progress', 'success']);
    const success = github.deploymentStatuses.find((s) => s.deploymentId === deployment.id && s.state === 'success');
    expect(success).toMatchObject({ environment_url: 'https://staging.statuses.example.com', log_url: expect.stringMatching(/^https:\/\/slipway\.example\.com\/runs\/statuses-[a-z0-9]+\?sig=[0-9a-f]{32}$/) });
    // A commit that never got a release makes no deployment at all.
    expect(github.deployments.filter((d) => d.ref === 'deadbeef'.repeat(5))).toEqual([]);
  });

  it("marks the deployment of a branch's own environment inactive once the branch is deleted", async () => {
    const sha = await stack.repo.head();
    await stack.repo.push('main:refs/heads/feature/report');
    const runId = await pushFrom('github', sha, { ref: 'refs/heads/feature/report' });
    expect((await ended(runId)).status).toBe('passed');
    const environment = (await stack.slipway.runs.get(runId))!.target.environment;
    expect(github.deployments.find((d) => d.environment === environment)).toMatchObject({ transient_environment: true, production_environment: false });
    expect(github.statesOf(environment)).toEqual([['queued', 'in_progress', 'success']]);

    expect((await ended(await pushFrom('github', sha, { ref: 'refs/heads/feature/report', deleted: true }))).status).toBe('passed');
    await until(async () => (github.statesOf(environment)[0]?.at(-1) === 'inactive' ? true : undefined), 'the deployment to be inactive');
    expect(github.statesOf(environment)).toEqual([['queued', 'in_progress', 'success', 'inactive']]);
  });
});

describe('commit statuses on Gitea', { timeout: 120_000 }, () => {
  it("reports pending, then success, through Gitea's statuses API with its token", async () => {
    const sha = await stack.repo.head();
    const runId = await pushFrom('gitea', sha);
    await until(async () => gitea.statuses.find((s) => s.sha === sha && s.state === 'success'), 'the Gitea success status');
    expect(gitea.statuses.filter((s) => s.sha === sha).map((s) => s.state)).toEqual(['pending', 'pending', 'success']);
    expect(gitea.statuses.at(-1)).toMatchObject({ owner: 'acme', repo: 'discounts', context: 'slipway', description: 'deployed to staging', target_url: expect.stringContaining(`/runs/${runId}?sig=`) });
    // Gitea has no Deployments API that slipway uses: nothing went to GitHub for this run.
    expect(github.deployments.filter((d) => d.payload && JSON.stringify(d.payload).includes(runId))).toEqual([]);
  });
});
