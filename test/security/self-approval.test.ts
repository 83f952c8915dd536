import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { RedisApprovalStore } from '../../src/adapters/store/redis-approval-store.js';
import { served } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

/**
 * Issue 14, point 4: Carol, an approver, commits with her GitHub noreply address, which Slack does not know
 * (`users.lookupByEmail` answers `users_not_found`), and the push comes from Ann's account. Carol then tries to
 * approve her own change. slipway cannot tell that the author is Carol, so nobody may approve until `people:`
 * says who that address is; then Carol is refused as the author and another approver promotes it.
 */
const [STAGING, PRODUCTION] = [21400, 21401];
const SERVICE = 'secauthzself';
const [BOB, CAROL] = ['U0BOB', 'U0CAROL'];
const NOREPLY = '4242+carol@users.noreply.github.com';

const config = (repoUrl: string, people = '') => `
${people}
${sampleConfig({ service: SERVICE, repoUrl, tests: true, image: 'sec-authz-self', channel: '#deploys', approvers: { users: [BOB, CAROL] }, staging: STAGING, production: PRODUCTION })}`;

// Slack knows Ann (the pusher) and Carol's work address, not her noreply one.
const stack = useSlackStack({
  config,
  slackUsers: { 'ann@example.com': 'U0ANN', 'carol@example.com': CAROL },
});
const docker = dockerClient(process.env.DOCKER_HOST);
const approve = async (runId: string, userId: string) =>
  stack.users.answerTo(userId, async () => stack.users.click('approve_promotion', await stack.watch.approveValue(runId, 'production'), userId, 'deploys'));
const productionContainers = () => docker.listContainers({ all: true, filters: { label: [`slipway.service=${SERVICE}`, 'slipway.environment=production'] } });

/** Carol's commit, made with her noreply address; the sample repo's hook sends it as Ann's push. */
async function carolsChange(version: string): Promise<string> {
  const git = (...args: string[]) => promisify(execFile)('git', args, { cwd: join(stack.repo.dir, 'work') });
  await git('config', 'user.name', 'Carol Example');
  await git('config', 'user.email', NOREPLY);
  await stack.repo.commit({ 'www/version': `${version}\n` }, `Version ${version}`);
  const { runId } = await stack.repo.push('main');
  if (!runId) throw new Error('the push started no run');
  await stack.watch.settled(runId, { status: 'waiting' });
  return runId;
}

const UNIDENTIFIED = `slipway cannot tell who Carol Example <${NOREPLY}> is in Slack, so it cannot tell that this is not your own change: nothing was approved. An operator can add them under people: in slipway.yml (their Slack id with this e-mail or git username).`;

describe('self-approval when Slack does not know the author', { timeout: 300_000 }, () => {
  it('fails closed: the author cannot approve her own change, and neither can anyone while she is unidentified', async () => {
    const runId = await carolsChange('s1');

    expect(await approve(runId, CAROL)).toBe(UNIDENTIFIED);
    expect(stack.slack.callsOf('users.lookupByEmail').map((c) => c.args.email)).toContain(NOREPLY);
    // Any approver might be the author as far as slipway can tell: Bob is refused the same way.
    expect(await approve(runId, BOB)).toBe(UNIDENTIFIED);
    expect((await new RedisApprovalStore(stack.slipway.redis).get(runId, 'production'))?.state).toBe('pending');
    expect((await stack.slipway.runs.get(runId))?.status).toBe('waiting');
    expect(await productionContainers()).toEqual([]);
  });

  it('with people: naming the noreply address, refuses the author as herself and lets another approver promote', async () => {
    await stack.restart((repoUrl) => config(repoUrl, `people: { ${CAROL}: { emails: ["${NOREPLY.toUpperCase()}"] } }`));
    const runId = await carolsChange('s2');

    expect(await approve(runId, CAROL)).toBe('You cannot approve your own change: ask another approver.');
    expect((await new RedisApprovalStore(stack.slipway.redis).get(runId, 'production'))?.state).toBe('pending');
    expect(await productionContainers()).toEqual([]);

    await stack.users.click('approve_promotion', await stack.watch.approveValue(runId, 'production'), BOB, 'deploys');
    const run = await stack.watch.settled(runId, { status: 'passed' });
    expect(run.stages.find((s) => s.name === 'approval:production')?.summary).toBe(`approved by <@${BOB}>`);
    expect(await served(PRODUCTION)).toBe('s2');
  });
});
