import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../fakes/fake-slack.js';
import { buttonClickBody, slackHeaders, slashCommandBody } from '../fakes/slack-signer.js';
import { removeContainersOf } from '../helpers/containers.js';
import { RunWatch, served, until } from '../helpers/run-watch.js';
import { createSampleRepo, type SampleRepo } from '../helpers/sample-repo.js';
import { SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';

const TOKEN = 'xoxb-safety-tests';
const SIGNING_SECRET = 'safety-signing-secret';
const [STAGING, PRODUCTION] = [18680, 18681];
const [BOB, CAROL, DAN] = ['U0BOB', 'U0CAROL', 'U0DAN']; // the three approvers

const config = (repoUrl: string) => `
services:
  safe:
    repo: ${repoUrl}
    buildTarget: app
    image: 127.0.0.1:5000/slipway-e2e-safety
    channel: "#safe"
    channels: ["#deploys", "#sample"]
    lockReminderHours: 0.0005
    approvers: { users: [${BOB}, ${CAROL}, ${DAN}] }
    branches:
      - { match: main, deploy: staging }
      - { match: "release/*", deploy: staging }
    environments:
      - name: staging
        port: ${STAGING}
        healthTimeoutSeconds: 5
        freezes: [{ from: "0 16 * * 5", until: "0 8 * * 1", timeZone: Europe/Berlin, reason: weekend }]
      - { name: production, port: ${PRODUCTION}, requireApproval: true, approvals: [{ count: 2 }], approvalExpiresHours: 1000, healthTimeoutSeconds: 5 }
`;

const WEDNESDAY = new Date('2026-11-25T10:00:00Z');
const SATURDAY = new Date('2026-11-28T10:00:00Z');
// A clock that runs on from where a test sets it, so runs still follow each other in time.
let clock = { from: WEDNESDAY, at: Date.now() };
const setClock = (to: Date) => (clock = { from: to, at: Date.now() });
let repo: SampleRepo;
let slack: FakeSlack;
let slipway: TestSlipway;
const watch = new RunWatch(() => slipway, () => slack);

beforeAll(async () => {
  repo = await createSampleRepo();
  slack = new FakeSlack({ token: TOKEN, users: { 'ann@example.com': 'U0ANN' } });
  await slack.start();
  slipway = await startTestSlipway({
    config: config(repo.url),
    env: { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url },
    mode: 'all',
    now: () => new Date(clock.from.getTime() + Date.now() - clock.at),
  });
  await repo.connect(`${slipway.url}/webhooks/gogs`, SECRETS.GOGS_WEBHOOK_SECRET);
}, 60_000);

afterAll(async () => {
  await slipway?.stop();
  await slack?.stop();
  await removeContainersOf('safe');
  await repo?.remove();
});

afterEach(() => {
  setClock(WEDNESDAY);
  expect(slack.unexpected).toEqual([]);
});

async function post(body: string) {
  const res = await fetch(`${slipway.url}/slack/events`, { method: 'POST', body, headers: slackHeaders(body, SIGNING_SECRET) });
  const text = await res.text();
  return text.startsWith('{') ? (JSON.parse(text) as { text?: string; response_type?: string; blocks?: unknown[] }) : { text };
}
const command = async (name: string, text: string, userId = BOB, channel = 'deploys') =>
  post(slashCommandBody(name, text, { user_id: userId, user_name: userId.toLowerCase(), channel_name: channel, channel_id: `C0${channel.toUpperCase()}` }));
const approve = (runId: string, userId: string, environment = 'production') =>
  post(buttonClickBody('approve_promotion', `${runId}|${environment}`, { userId, messageTs: `${Date.now()}.${userId}` }));
async function answerTo(userId: string, act: () => Promise<unknown>): Promise<string> {
  const answers = () => slack.callsOf('chat.postEphemeral').filter((c) => c.args.user === userId);
  const before = answers().length;
  await act();
  return until(async () => answers()[before]?.args.text as string | undefined, `an answer to ${userId}`);
}
async function pushVersion(version: string, branch = 'main', files: Record<string, string> = {}) {
  await repo.commit({ 'www/version': `${version}\n`, ...files }, `Version ${version}`);
  const { runId } = await repo.push(branch);
  if (!runId) throw new Error('the push started no run');
  return runId;
}
const startedRun = (text: string | undefined) => /Started run `([^`]+)`/.exec(text ?? '')?.[1];

describe('deploy safety', { timeout: 180_000 }, () => {
  it('asks 2 of 3 approvers: the first clicking twice counts once, the card shows who and what is missing', async () => {
    const runId = await pushVersion('r1');
    await watch.settled(runId, { status: 'waiting' });
    expect(await served(STAGING)).toBe('r1');

    expect(await answerTo(BOB, () => approve(runId, BOB))).toBe('Your approval counts. Still needed: 1 more from <@U0BOB> or <@U0CAROL> or <@U0DAN>.');
    expect(await answerTo(BOB, () => approve(runId, BOB))).toBe('You have already approved this; still needed: 1 more from <@U0BOB> or <@U0CAROL> or <@U0DAN>.');
    await until(async () => (watch.approvalCard(runId, 'production')?.includes('*Approvals* (1 of 2): <@U0BOB> :white_check_mark:') ? true : undefined), 'the card to show one approval');
    expect(watch.approvalCard(runId, 'production')).toContain('This approval is for this release only: `sha256:');
    expect((await slipway.runs.get(runId))?.status).toBe('waiting');

    await approve(runId, CAROL);
    const run = await watch.settled(runId, { status: 'passed' });
    expect(run.stages.find((s) => s.name === 'approval:production')?.summary).toBe(`approved by <@${BOB}> and <@${CAROL}>`);
    expect(await served(PRODUCTION)).toBe('r1');
  });

  it('refuses a promotion of a release that skipped staging', async () => {
    await repo.checkout('hotfix', { create: true });
    await repo.commit({ 'www/version': 'hotfix\n' }, 'Hotfix');
    await repo.push('hotfix');
    await repo.checkout('main');
    const answer = await command('/deploy', 'hotfix to production');
    expect(answer.text).toMatch(/^production takes only releases that got through staging first, and `[0-9a-f]{7}` has not\. Deploy it there first: \/deploy hotfix to staging\. Nothing was started\.$/);
    expect(await served(PRODUCTION)).toBe('r1');
  });

  it('refuses deploys in a freeze window with its end, and allows them once it is over', async () => {
    setClock(SATURDAY);
    const refused = await command('/deploy', 'main');
    expect(refused.text).toBe(':snowflake: staging is frozen until Mon 30 Nov 08:00 (Europe/Berlin): weekend. Nothing was started. An approver can break glass: /deploy! main to staging reason: …');
    expect(JSON.stringify(refused.blocks)).toContain('"action_id":"override_freeze"');

    setClock(new Date('2026-11-30T07:00:00Z'));
    const allowed = startedRun((await command('/deploy', 'main')).text);
    expect(allowed).toBeDefined();
    await watch.settled(allowed!, { status: 'waiting' });
  });
});
