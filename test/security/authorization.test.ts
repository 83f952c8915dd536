import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RedisApprovalStore } from '../../src/adapters/store/redis-approval-store.js';
import { RedisLease } from '../../src/adapters/store/redis-lease.js';
import { RedisLogStore } from '../../src/adapters/store/redis-log-store.js';
import { environmentLeaseKey } from '../../src/queue/stages/environment.js';
import { slashCommandBody } from '../fakes/slack-signer.js';
import { served, until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';
import { slackUsers } from '../helpers/slack-users.js';
import { deliveryHeaders } from '../helpers/webhook-deliveries.js';
import { SECRETS, startTestSlipway } from '../helpers/test-slipway.js';

/**
 * Issue 14, point 6: every command and button checks where it comes from (the channel, by id) and who asks
 * (their role), a break glass is for approvers and for the freeze it breaks, and a lock's owner is a Slack id
 * Slack vouched for, never a name written into a git payload.
 */
const TOKEN = 'xoxb-sec-authz';
const SIGNING_SECRET = 'sec-authz-signing-secret';
const [STAGING, PRODUCTION] = [21410, 21411];
const SERVICE = 'secauthz';
const [BOB, CAROL, DAN] = ['U0BOB', 'U0CAROL', 'U0DAN']; // the approvers
const [ANN, EVE, LOCKER] = ['U0ANN', 'U0EVE', 'U0LOCKER']; // channel members who approve nothing; Ann pushes

const config = (repoUrl: string) =>
  sampleConfig({
    service: SERVICE,
    repoUrl,
    tests: true,
    image: 'sec-authz-commands',
    channel: '#deploys',
    approvers: { users: [BOB, CAROL, DAN] },
    staging: STAGING,
    production: PRODUCTION,
  });
const REFUSAL = `${SERVICE} takes commands and buttons only in #deploys: use that channel.`;

const stack = useSlackStack({ config, token: TOKEN, signingSecret: SIGNING_SECRET, slackUsers: { 'ann@example.com': ANN } });
const command = async (name: string, text: string, userId: string, channel = 'deploys') => String((await stack.users.command(name, text, userId, channel)).json?.text);
const approveIn = async (runId: string, userId: string, channel = 'deploys') => stack.users.click('approve_promotion', await stack.watch.approveValue(runId, 'production'), userId, channel);
const startedRun = (text: string) => /Started run `([^`]+)`/.exec(text)?.[1];

async function pushVersion(version: string): Promise<string> {
  await stack.repo.commit({ 'www/version': `${version}\n` }, `Version ${version}`);
  const { runId } = await stack.repo.push('main');
  if (!runId) throw new Error('the push started no run');
  await stack.watch.settled(runId, { status: 'waiting' });
  return runId;
}

describe('authorization of commands and buttons', { timeout: 300_000 }, () => {
  it('promotes an honest push with an approver’s click (production’s release for the tests below)', async () => {
    const runId = await pushVersion('a1');
    await approveIn(runId, BOB);
    await stack.watch.settled(runId, { status: 'passed' });
    expect(await served(PRODUCTION)).toBe('a1');
  });

  it('/slipway cancel: refused from another channel and to someone who neither started the run nor approves; an approver cancels', async () => {
    const runId = await pushVersion('a2');

    expect(await command('/slipway', `cancel ${runId}`, BOB, 'random')).toBe(REFUSAL);
    expect(await command('/slipway', `cancel ${runId}`, EVE)).toBe(`Only whoever started run ${runId} or an approver of ${SERVICE} can cancel it.`);
    expect((await stack.slipway.runs.get(runId))?.status).toBe('waiting');
    expect((await new RedisApprovalStore(stack.slipway.redis).get(runId, 'production'))?.state).toBe('pending');

    expect(await command('/slipway', `cancel ${runId}`, BOB)).toBe(`Cancelled run ${runId} at its approval gate.`);
    expect((await stack.slipway.runs.get(runId))?.status).toBe('cancelled');
  });

  it('/deploy force: refused to a non-approver with or without a freeze in force; an approver may force', async () => {
    expect(await command('/deploy', 'force main to staging reason: just because', ANN)).toBe('Only an approver of staging can force a deploy there with /deploy force. Nothing was started.');

    expect(await command('/slipway', 'freeze staging for 1h reason: incident', BOB)).toMatch(/^:snowflake: <@U0BOB> froze secauthz staging until /);
    expect(await command('/deploy', 'force main to staging reason: payments are down', ANN)).toBe('Only an approver of staging can break its freeze. Nothing was started.');
    expect(await command('/slipway', 'unfreeze staging', BOB)).toMatch(/^:sunny: <@U0BOB> lifted the freeze/);
    expect((await stack.slipway.runs.listByService(SERVICE, 100)).filter((r) => r.trigger === 'deploy')).toEqual([]);

    const forced = await command('/deploy', 'force main to staging reason: bisecting', CAROL);
    expect(forced).toMatch(/^:rotating_light: <@U0CAROL> forced a deploy past the outdated-branch guard\. Reason: bisecting\. Started run `/);
    const run = await stack.watch.settled(startedRun(forced)!, { status: 'passed' });
    expect(run.override).toEqual({ by: CAROL, reason: 'bisecting' });
  });

  it('a break glass is for the freeze it broke: a new freeze declared before its deploy runs stops it', async () => {
    expect(await command('/slipway', 'freeze production for 1h reason: incident', BOB)).toMatch(/^:snowflake: /);
    const forced = await command('/deploy', 'force main to production reason: checkout is down', CAROL);
    expect(forced).toMatch(/^:rotating_light: <@U0CAROL> is breaking the freeze \(production is frozen until .*: incident\)/);
    const runId = startedRun(forced)!;
    await stack.watch.settled(runId, { status: 'waiting' });

    // Hold production's deploy lease so the promotion parks before its deploy; the new freeze comes then.
    const lease = new RedisLease(stack.slipway.redis);
    const leaseKey = environmentLeaseKey(SERVICE, 'production');
    expect(await lease.acquire(leaseKey, 'test-holder', 300_000)).toBe(true);
    try {
      expect(await stack.users.answerTo(BOB, () => approveIn(runId, BOB))).toMatch(/^Your approval counts\. Still needed: /);
      await approveIn(runId, DAN); // breaking glass asks one approver more than usual: this one decides
      const logs = new RedisLogStore(stack.slipway.redis);
      await until(async () => ((await logs.read(runId, 'deploy:production')).some((l) => l.includes('being deployed by another run')) ? true : undefined), 'the promotion to wait for the lease');
      await until(async () => ((await stack.slipway.queue.getDelayed()).some((j) => j.data.runId === runId) ? true : undefined), 'the promotion job to be delayed');
      // Another freeze (another window) is declared after the break glass and after the approvals.
      expect(await command('/slipway', 'freeze production for 2h reason: second incident', BOB)).toMatch(/^:snowflake: /);
    } finally {
      await lease.release(leaseKey, 'test-holder');
    }

    const run = await stack.watch.settled(runId, { status: 'failed' });
    expect(run.failure?.stage).toBe('deploy:production');
    expect(run.failure?.cause).toMatch(/^production is frozen until .*: second incident\. An approver can break glass: .*; nothing was deployed$/);
    expect(await served(PRODUCTION)).toBe('a1');
    expect(await command('/slipway', 'unfreeze production', BOB)).toMatch(/^:sunny: /);
  });

  it('a lock held by U0LOCKER does not let through a push whose git payload names U0LOCKER; his own /deploy goes', async () => {
    expect(await command('/slipway', 'lock staging reason: load test', LOCKER)).toBe(`:lock: <@${LOCKER}> locked ${SERVICE} staging: load test.`);
    const before = await served(STAGING);

    // The push reaches slipway only through the attacker's own delivery, signed with the repository's secret.
    await rm(join(stack.repo.dir, 'sample.git', 'hooks', 'post-receive'));
    const beforeSha = await stack.repo.head();
    const sha = await stack.repo.commit({ 'www/version': 'a3\n' }, 'Version a3');
    await stack.repo.push('main');
    await stack.repo.connect(`${stack.slipway.url}/webhooks/gogs`, SECRETS.GOGS_WEBHOOK_SECRET);
    const locker = { id: 7, login: LOCKER, username: LOCKER, full_name: LOCKER, name: LOCKER, email: 'locker@example.com' };
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: beforeSha,
      after: sha,
      compare_url: `${stack.repo.url}/compare/${beforeSha}...${sha}`,
      commits: [{ id: sha, message: 'Version a3', url: `${stack.repo.url}/commit/${sha}`, author: { name: LOCKER, email: 'locker@example.com', username: LOCKER } }],
      repository: { id: 1, name: 'sample', full_name: 'acme/sample', html_url: stack.repo.url, ssh_url: stack.repo.url, clone_url: stack.repo.url, default_branch: 'main' },
      pusher: locker,
      sender: locker,
    });
    const res = await fetch(`${stack.slipway.url}/webhooks/gogs`, { method: 'POST', body, headers: deliveryHeaders('gogs', body, SECRETS.GOGS_WEBHOOK_SECRET, { deliveryId: randomUUID() }) });
    const answer = await res.text();
    expect(res.ok, answer).toBe(true);
    const pushed = /"runId":"([^"]+)"/.exec(answer)?.[1];
    expect(pushed).toBeDefined();

    const refused = await stack.watch.settled(pushed!, { status: 'failed' });
    expect(refused.failure).toEqual({ stage: 'deploy:staging', cause: `staging is locked by <@${LOCKER}>: load test; nothing was deployed` });
    expect(await served(STAGING)).toBe(before);

    // The holder himself, through Slack: allowed.
    const started = startedRun(await command('/deploy', 'main', LOCKER));
    expect(started).toBeDefined();
    const deployed = await stack.watch.settled(started!, { status: 'waiting' });
    expect(deployed.stages.find((s) => s.name === 'deploy:staging')?.status).toBe('passed');
    expect(await served(STAGING)).toBe('a3');
    expect(await command('/slipway', 'unlock staging', LOCKER)).toMatch(/^:unlock: <@U0LOCKER> unlocked secauthz staging\./);
  });

  it('tells channels apart by id: a configured channel’s name with another channel’s id is refused', async () => {
    const typed = (channelId: string, channelName: string) =>
      stack.users.post(slashCommandBody('/deploy', 'why production', { user_id: BOB, user_name: 'bob', channel_id: channelId, channel_name: channelName }));
    expect((await typed('C0RANDOM', 'deploys')).json?.text).toBe(REFUSAL);
    expect((await typed('C0FORGED', 'deploys')).json?.text).toBe(REFUSAL);
    expect((await typed('C0DEPLOYS', 'deploys')).json?.text).not.toBe(REFUSAL);
    // A channel renamed since: its id still counts, whatever name the request carries.
    expect((await typed('C0DEPLOYS', 'old-name')).json?.text).not.toBe(REFUSAL);

    // Buttons too: an Approve from a channel that only calls itself #deploys.
    const waiting = (await stack.slipway.runs.listByService(SERVICE, 100)).find((r) => r.status === 'waiting')!;
    const value = await stack.watch.approveValue(waiting.id, 'production');
    expect(await stack.users.answerTo(BOB, () => stack.users.click('approve_promotion', value, BOB, 'random'))).toBe(REFUSAL);
    expect((await new RedisApprovalStore(stack.slipway.redis).get(waiting.id, 'production'))?.state).toBe('pending');
  });

  it('refuses commands from a configured #name Slack does not list, and tells the operator which', async () => {
    const hidden = await startTestSlipway({
      config: config(stack.repo.url).replace('"#deploys"', '"#hidden-ops"'),
      env: { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: stack.slack.url },
    });
    try {
      const body = slashCommandBody('/deploy', 'why production', { user_id: BOB, user_name: 'bob', channel_id: 'C0HIDDENOPS', channel_name: 'hidden-ops' });
      const hiddenUsers = slackUsers(() => hidden.url, () => stack.slack, SIGNING_SECRET);
      expect((await hiddenUsers.post(body)).json?.text).toBe(`${SERVICE} takes commands and buttons only in #hidden-ops: use that channel.`);
      const warned = await until(async () => hidden.logs.find((l) => l.channel === '#hidden-ops'), 'the log line naming #hidden-ops');
      expect(warned).toMatchObject({ level: 40, msg: expect.stringContaining('commands and buttons from it are refused') });
    } finally {
      await hidden.stop();
    }
  });
});
