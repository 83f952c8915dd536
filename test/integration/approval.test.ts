import { describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { RedisApprovalStore } from '../../src/adapters/store/redis-approval-store.js';
import { RedisAuditLog } from '../../src/adapters/store/redis-audit-log.js';
import { RedisDeploymentStore } from '../../src/adapters/store/redis-deployment-store.js';
import { viewSubmissionBody } from '../fakes/slack-signer.js';
import { served, until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

const [QA, STAGING, PRODUCTION] = [18282, 18280, 18281];
const BOB = 'U0BOB'; // an approver by name
const CAROL = 'U0CAROL'; // an approver through the release-managers group
const ANN = 'U0ANN'; // approver too, but the author of every commit here
const DAVE = 'U0DAVE'; // not an approver

const config = (repoUrl: string) =>
  sampleConfig({
    service: 'shop',
    repoUrl,
    tests: true,
    image: 'slipway-e2e-approval',
    channels: ['#deploys', '#sample'], // where the fake Slack's commands and buttons come from
    approvers: { users: [BOB, ANN], groups: ['S0RELEASE'] },
    environments: [
      { name: 'qa', port: QA, requireApproval: true, approvalExpiresHours: 0.001, healthTimeoutSeconds: 5 },
      { name: 'staging', port: STAGING, healthTimeoutSeconds: 5 },
      { name: 'production', port: PRODUCTION, requireApproval: true, healthPath: '/ready', healthTimeoutSeconds: 5 },
    ],
  });

const stack = useSlackStack({
  config,
  prepare: (repo) => repo.commit({ 'www/ready': 'ready\n' }, 'Add a readiness page for production'),
  slackUsers: { 'ann@example.com': ANN },
  slackGroups: { S0RELEASE: [CAROL] },
});
const docker = dockerClient(process.env.DOCKER_HOST);

const post = (body: string) => stack.users.post(body);
const answerTo = (userId: string, act: () => Promise<unknown>) => stack.users.answerTo(userId, act);
const command = (name: string, text: string, userId = BOB) => stack.users.command(name, text, userId);
const click = (action: string, value: string, userId: string) => stack.users.click(action, value, userId);
// The card's Approve button carries the signed release: a click sends back what the card shows.
const approve = async (runId: string, userId: string, environment = 'production') => click('approve_promotion', await stack.watch.approveValue(runId, environment), userId);

async function pushVersion(version: string, files: Record<string, string> = {}, remove: string[] = []) {
  await stack.repo.commit({ 'www/version': `${version}\n`, ...files }, `Version ${version}`, { remove });
  const { runId } = await stack.repo.push('main');
  if (!runId) throw new Error('the push started no run');
  return runId;
}

const digestIn = async (container: string) => (await docker.getContainer(container).inspect()).Config.Image;
const deployments = () => new RedisDeploymentStore(stack.slipway.redis);
const audit = () => new RedisAuditLog(stack.slipway.redis);

describe('approval gate and promotion', { timeout: 120_000 }, () => {
  let firstRelease: string;

  it('push → staging → card → a refused click → an approver’s click → the same digest in production → /rollback', async () => {
    const first = await pushVersion('r1');
    expect((await stack.watch.settled(first)).status).toBe('waiting');
    expect(await served(STAGING)).toBe('r1');

    const card = await until(async () => stack.watch.approvalCard(first, 'production'), 'the approval card');
    expect(card).toContain('Promote *shop* to *production*?');
    expect(card).toContain('_nothing yet_');
    expect(card).toContain('Version r1');
    expect(card).toContain('tests 3 passed');
    expect(card).toContain('"action_id":"approve_promotion"');
    expect(card).toContain('"confirm":');
    const cardPost = stack.slack.callsOf('chat.postMessage').find((c) => String(c.args.blocks).includes(`approval:${first}|production`));
    expect(cardPost?.args).toMatchObject({ reply_broadcast: 'true' });

    expect(await answerTo(DAVE, () => approve(first, DAVE))).toBe(`Only approvers can do this: <@${BOB}>, <@${ANN}>, <!subteam^S0RELEASE>.`);
    expect((await stack.slipway.runs.get(first))?.status).toBe('waiting');

    await approve(first, BOB);
    const promoted = await stack.watch.settled(first, { status: 'passed' });
    expect(promoted.stages.find((s) => s.name === 'approval:production')?.summary).toBe(`approved by <@${BOB}>`);
    expect(await served(PRODUCTION)).toBe('r1');
    firstRelease = await digestIn('shop-production');
    expect(firstRelease).toBe(await digestIn('shop-staging'));
    await until(async () => (stack.watch.approvalCard(first, 'production')?.includes(`Approved by <@${BOB}>`) ? true : undefined), 'the card to say who approved');
    expect(stack.watch.approvalCard(first, 'production')).not.toContain('approve_promotion');

    // A second release, approved by a member of the approvers' group.
    const second = await pushVersion('r2');
    await stack.watch.settled(second, { status: 'waiting' });
    expect(await until(async () => stack.watch.approvalCard(second, 'production'), 'the second approval card')).toContain('Version r2');
    await approve(second, CAROL);
    await stack.watch.settled(second, { status: 'passed' });
    expect(await served(PRODUCTION)).toBe('r2');
    expect(stack.slack.callsOf('usergroups.users.list').length).toBeGreaterThanOrEqual(1);

    // /rollback is for approvers; it asks first, and the confirmation deploys the recorded digest, no rebuild.
    expect((await command('/rollback', '', DAVE)).json?.text).toBe(`Only approvers can do this: <@${BOB}>, <@${ANN}>, <!subteam^S0RELEASE>.`);
    const asked = await command('/rollback', '');
    expect(asked.json?.text).toMatch(/^Roll \*shop\* production back from `main-[0-9a-f]{7}` to `main-[0-9a-f]{7}`/);
    const button = (asked.json?.blocks as any[])[1].elements[0];
    await click(button.action_id, button.value, BOB);
    const told = await until(async () => stack.slack.callsOf('response_url').at(-1)?.args.text as string | undefined, 'the rollback answer');
    expect(told).toMatch(/ main-[0-9a-f]{7} is quarantined there and production is locked by you until someone unlocks it\.$/);
    const rollbackRun = /as run (\S+)\. /.exec(told)?.[1];
    expect(rollbackRun).toBeDefined();
    const rolledBack = await stack.watch.settled(rollbackRun!);
    expect(rolledBack).toMatchObject({ trigger: 'rollback', status: 'passed', stages: [{ name: 'deploy:production', status: 'passed' }] });
    expect(await served(PRODUCTION)).toBe('r1');
    expect(await digestIn('shop-production')).toBe(firstRelease);
    expect((await audit().list('shop', 'production')).map((e) => e.action).slice(0, 5)).toEqual(['rollback', 'lock', 'quarantine', 'approve', 'approve']);
    // The rolled-back release stays out and production stays locked until people say otherwise.
    expect((await command('/slipway', 'unlock production', BOB)).json?.text).toBe(`:unlock: <@${BOB}> unlocked shop production.`);
    expect((await command('/slipway', 'unquarantine production', BOB)).json?.text).toMatch(/^:white_check_mark: <@U0BOB> lifted the quarantine of `main-[0-9a-f]{7}` in shop production \(rolled back by <@U0BOB>\)\. It may be promoted again\.$/);

    const history = JSON.stringify((await command('/slipway', 'history production')).json?.blocks);
    expect(history).toMatch(/production `main-[0-9a-f]{7}` — succeeded \(<@U0BOB>, run `shop-[a-z0-9]+`\)/);
    expect(history).toMatch(/production `main-[0-9a-f]{7}` — succeeded \(<@U0CAROL>, run `shop-[a-z0-9]+`\)/);
    expect(history).toContain(`:rewind: `);
    expect(history).toMatch(/rollback production by <@U0BOB>: to main-[0-9a-f]{7}/);
    expect(history).toContain(`approve production by <@${CAROL}>`);
  });

  it('takes one promotion from two approvers clicking at once', async () => {
    const runId = await pushVersion('r3');
    await stack.watch.settled(runId, { status: 'waiting' });
    await Promise.all([approve(runId, BOB), approve(runId, CAROL), approve(runId, BOB)]);
    await stack.watch.settled(runId, { status: 'passed' });

    const ofRun = (await deployments().history('shop', 'production', 50)).filter((d) => d.runId === runId);
    expect(ofRun).toHaveLength(1);
    expect((await audit().list('shop', 'production', 50)).filter((e) => e.runId === runId && e.action === 'approve')).toHaveLength(1);
    expect(await served(PRODUCTION)).toBe('r3');
    // The replaced release is removed after the run, off its critical path: wait for that, then count.
    const productionContainers = () => docker.listContainers({ all: true, filters: { label: ['slipway.service=shop', 'slipway.environment=production'] } });
    await until(async () => ((await productionContainers()).length <= 1 ? true : undefined), 'the replaced production container to be removed');
    expect(await productionContainers()).toHaveLength(1);
    const answers = stack.slack.callsOf('chat.postEphemeral').map((c) => String(c.args.text)).filter((t) => t.startsWith('Already approved by') || t.startsWith('You have already approved this'));
    expect(answers.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses self-approval when the environment forbids it', async () => {
    const runId = await pushVersion('r4');
    await stack.watch.settled(runId, { status: 'waiting' });
    expect(await answerTo(ANN, () => approve(runId, ANN))).toBe('You cannot approve your own change: ask another approver.');
    expect((await new RedisApprovalStore(stack.slipway.redis).get(runId, 'production'))?.state).toBe('pending');
  });

  it('supersedes an older request when a newer release reaches the gate; its buttons say so', async () => {
    const older = (await new RedisApprovalStore(stack.slipway.redis).pending('shop'))[0]!.runId;
    const newer = await pushVersion('r5');
    await stack.watch.settled(newer, { status: 'waiting' });

    expect((await stack.slipway.runs.get(older))?.status).toBe('superseded');
    await until(async () => (stack.watch.approvalCard(older, 'production')?.includes('Superseded') ? true : undefined), 'the old card to say superseded');
    expect(await answerTo(BOB, () => approve(older, BOB))).toMatch(/^This request was superseded: main-[0-9a-f]{7} \(run shop-[a-z0-9]+\) reached this gate after it\.$/);
    expect(await served(PRODUCTION)).toBe('r3');
  });

  it('holds promotions and deploys off a locked environment, except for the lock’s holder', async () => {
    const [waiting] = await new RedisApprovalStore(stack.slipway.redis).pending('shop');
    const runId = waiting!.runId;
    expect((await command('/slipway', 'lock production audit in progress', CAROL)).json?.text).toBe(`:lock: <@${CAROL}> locked shop production: audit in progress.`);
    await until(async () => (stack.watch.approvalCard(runId, 'production')?.includes(`production is locked by <@${CAROL}>: audit in progress`) ? true : undefined), 'the card to show the lock');

    expect(await answerTo(BOB, () => approve(runId, BOB))).toBe(`production is locked by <@${CAROL}>: audit in progress. Ask them to /slipway unlock it.`);
    expect((await stack.slipway.runs.get(runId))?.status).toBe('waiting');

    await approve(runId, CAROL);
    await stack.watch.settled(runId, { status: 'passed' });
    expect(await served(PRODUCTION)).toBe('r5');

    await command('/slipway', 'lock staging', CAROL);
    const refused = await command('/deploy', 'main', BOB);
    expect(refused.json?.text).toBe(`:lock: staging is locked by <@${CAROL}>: no reason given. Nothing was started.`);
    expect((await command('/slipway', 'unlock staging', DAVE)).json?.text).toBe(`Only <@${CAROL}>, who holds the lock, or an approver of staging can unlock it.`);
    expect((await command('/slipway', 'unlock staging', BOB)).json?.text).toBe(`:unlock: <@${BOB}> unlocked shop staging.`);
    expect((await command('/slipway', 'unlock production', CAROL)).json?.text).toBe(`:unlock: <@${CAROL}> unlocked shop production.`);
    const status = await command('/slipway', 'status');
    expect(JSON.stringify(status.json?.blocks)).toMatch(/\*production\*: `main-[0-9a-f]{7}` `[0-9a-f]{7}` `[0-9a-f]{12}` by <@U0CAROL> at [^ ]+ — healthy/);
    expect(status.json?.text).toMatch(/^shop: qa -, staging main-[0-9a-f]{7}, production main-[0-9a-f]{7}; \d+ active run\(s\)$/);
  });

  it('rolls production back by itself when the new release fails its health check there', async () => {
    const before = await digestIn('shop-production');
    const runId = await pushVersion('r6', {}, ['www/ready']);
    await stack.watch.settled(runId, { status: 'waiting' });
    expect(await served(STAGING)).toBe('r6');
    await approve(runId, BOB);
    const run = await stack.watch.settled(runId, { status: 'failed' });

    expect(run.failure?.stage).toBe('deploy:production');
    expect(run.failure?.cause).toMatch(/^http:\/\/127.0.0.1:18281\/ready was not healthy within 5 s \(answered 404\); production stays on its previous release$/);
    expect(await served(PRODUCTION)).toBe('r5');
    expect(await digestIn('shop-production')).toBe(before);
    const alert = await until(async () => stack.slack.callsOf('chat.postMessage').find((c) => String(c.args.text).includes('failed at deploy:production')), 'the alert');
    expect(String(alert.args.blocks)).toContain('production stays on its previous release');
  });

  it('keeps a pending approval across a restart of slipway', async () => {
    const runId = await pushVersion('r7', { 'www/ready': 'ready\n' });
    await stack.watch.settled(runId, { status: 'waiting' });

    await stack.restart(config, { keepData: true });

    await approve(runId, BOB);
    await stack.watch.settled(runId, { status: 'passed' });
    expect(await served(PRODUCTION)).toBe('r7');
  });

  it('rejects with a reason given in a modal, and cancels a run waiting at its gate', async () => {
    const rejected = await pushVersion('r8');
    await stack.watch.settled(rejected, { status: 'waiting' });
    await click('reject_promotion', `${rejected}|production`, BOB);
    await until(async () => stack.slack.callsOf('views.open').at(-1), 'the reason modal');
    const submitted = await post(viewSubmissionBody('reject_promotion_reason', `${rejected}|production`, { reason: { reason: { type: 'plain_text_input', value: 'needs the migration first' } } }, { userId: BOB }));
    expect(submitted.status).toBe(200);
    const run = await stack.watch.settled(rejected, { status: 'cancelled' });
    expect(run.stages.find((s) => s.name === 'approval:production')?.summary).toBe(`rejected by <@${BOB}>: needs the migration first`);
    await until(async () => (stack.watch.approvalCard(rejected, 'production')?.includes(`Rejected by <@${BOB}>: needs the migration first`) ? true : undefined), 'the card to say rejected');

    const cancelled = await pushVersion('r9');
    await stack.watch.settled(cancelled, { status: 'waiting' });
    // Cancelling is for whoever started the run or an approver (issue 14): Bob approves here.
    expect((await command('/slipway', `cancel ${cancelled}`, BOB)).json?.text).toBe(`Cancelled run ${cancelled} at its approval gate.`);
    await stack.watch.settled(cancelled, { status: 'cancelled' });
    expect(await answerTo(BOB, () => approve(cancelled, BOB))).toBe('This run was cancelled.');
    expect(await served(PRODUCTION)).toBe('r7');
  });

  it('cancels a running run: it stops, and says so', async () => {
    await stack.repo.commit({ 'www/version': 'r10\n' }, 'Version r10');
    const pushed = stack.repo.push('main');
    const runId = await until(async () => (await stack.slipway.runs.listByService('shop', 5)).find((r) => r.status !== 'passed' && r.commits.some((c) => c.message.startsWith('Version r10')))?.id, 'the run');
    const answer = String((await command('/slipway', `cancel ${runId}`, BOB)).json?.text);
    expect(answer).toMatch(/^(Run \S+ will stop at the end of its current stage\.|Cancelled run \S+ (before it started|at its approval gate)\.)$/);
    await pushed;
    const run = await stack.watch.settled(runId, { status: 'cancelled' });
    expect(run.stages.some((s) => s.summary === `cancelled by <@${BOB}>`)).toBe(true);
    expect((await audit().list('shop', undefined, 50)).find((e) => e.action === 'cancel' && e.runId === runId)?.by).toBe(BOB);
    expect(await served(PRODUCTION)).toBe('r7');
  });

  it('runs /deploy up to the gate of an environment behind approval, and expires the request nobody decides', async () => {
    const answer = await command('/deploy', 'main to qa', BOB);
    const runId = /Started run `([^`]+)`/.exec(String(answer.json?.text))?.[1];
    expect(answer.json?.text).toMatch(/→ approval:qa → deploy:qa\. Follow it in #shop\.$/);
    const run = await stack.watch.settled(runId!, { status: 'waiting' });
    expect(run).toMatchObject({ trigger: 'deploy', triggeredBy: { username: BOB }, stages: expect.arrayContaining([expect.objectContaining({ name: 'approval:qa', status: 'running' })]) });

    const expired = await stack.watch.settled(runId!, { status: 'cancelled' });
    expect(expired.stages.find((s) => s.name === 'approval:qa')?.summary).toBe('approval expired');
    await until(async () => (stack.watch.approvalCard(runId!, 'qa')?.includes('Expired at') ? true : undefined), 'the card to say expired');
    expect(await answerTo(BOB, () => approve(runId!, BOB, 'qa'))).toBe('This request has expired; push again or use /deploy to ask anew.');
  });

  it('answers every command’s bad input with its usage, changing nothing', async () => {
    const runsBefore = (await stack.slipway.runs.listByService('shop', 1000)).length;
    const auditBefore = (await audit().list('shop', undefined, 1000)).length;
    const cases: [string, string, RegExp][] = [
      ['/deploy', '', /^Name the branch to deploy\./],
      ['/deploy', 'main to', /^Say which environment after "to"\./],
      ['/deploy', 'main to moon', /^shop has no environment "moon": qa, staging, production\./],
      ['/deploy', 'no-such-branch to staging', /^There is no branch "no-such-branch" in shop's repository\./],
      ['/deploy', 'main staging production', /^Did not understand "staging production"\./],
      ['/rollback', 'moon', /^shop has no environment "moon"/],
      ['/rollback', 'sample staging production', /^Too many words/],
      ['/rollback', 'production to nothing-like-this', /^Cannot roll back shop production: no earlier successful deployment matches "nothing-like-this"/],
      ['/slipway', 'history a b c', /^Too many words/],
      ['/slipway', 'lock', /^Name the environment to lock\./],
      ['/slipway', 'lock moon', /^shop has no environment "moon"/],
      ['/slipway', 'unlock a b c', /^Name the environment to unlock\./],
      ['/slipway', 'cancel', /^Give the run id/],
      ['/slipway', 'cancel shop-nosuchrun', /^There is no run shop-nosuchrun\./],
      ['/slipway', 'status a b', /^Give at most one service name\./],
    ];
    for (const [name, text, problem] of cases) {
      const answer = await command(name, text);
      expect(answer.json?.response_type, `${name} ${text}`).toBe('ephemeral');
      expect(answer.json?.text, `${name} ${text}`).toMatch(problem);
    }
    expect((await stack.slipway.runs.listByService('shop', 1000)).length).toBe(runsBefore);
    expect((await audit().list('shop', undefined, 1000)).length).toBe(auditBefore);
  });
});
