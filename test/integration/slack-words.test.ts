import { describe, expect, it } from 'vitest';
import { RedisAuditLog } from '../../src/adapters/store/redis-audit-log.js';
import { served, until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

// Issue 15, "less noise, right words" and "a lock is not a failure": what the run's thread says, the approval
// card's from → to after a promotion, mentions that stay mentions, and a locked production that parks a
// release at its gate instead of failing it. Ports and image of helper range 22200-22299.
const SIGNING_SECRET = 'words-signing-secret';
const [STAGING, PRODUCTION] = [22200, 22201];
const SERVICE = 'words';
const [BOB, CAROL] = ['U0BOB', 'U0CAROL']; // approvers; Ann (U0ANN) writes every commit

const config = (repoUrl: string) =>
  sampleConfig({ service: SERVICE, repoUrl, tests: true, image: 'slipway-words', channel: '#deploys', approvers: { users: [BOB, CAROL] }, staging: STAGING, production: PRODUCTION });

const stack = useSlackStack({ config, signingSecret: SIGNING_SECRET });

const command = async (text: string, userId: string) => String((await stack.users.command('/slipway', text, userId, 'deploys')).json?.text);
const approve = async (runId: string, userId: string) => stack.users.click('approve_promotion', await stack.watch.approveValue(runId, 'production'), userId, 'deploys');
/** An Approve that is refused: what the clicker is told privately. */
const refusedApproval = (runId: string, userId: string) => stack.users.answerTo(userId, () => approve(runId, userId));

const pushVersion = (version: string) => stack.repo.pushVersion(version);

/** Every reply in the run message's thread, as text and blocks. */
function thread(runId: string): string[] {
  const post = stack.watch.topLevelPosts(runId)[0];
  const ts = post && stack.slack.answerTs(post);
  return stack.slack
    .callsOf('chat.postMessage')
    .filter((c) => ts && c.args.thread_ts === ts)
    .map((c) => `${String(c.args.text)}\n${String(c.args.blocks)}`);
}

const cardWhen = (runId: string, what: string, has: (card: string) => boolean) =>
  until(async () => {
    const card = stack.watch.approvalCard(runId, 'production');
    return card && has(card) ? card : undefined;
  }, what);

describe('the words slipway posts', { timeout: 300_000 }, () => {
  let firstTag = '';

  it('keeps passed stages out of the thread, a mention in a thread line unescaped, and from → to right after the promotion', async () => {
    const runId = await pushVersion('w1');
    await stack.watch.settled(runId, { status: 'waiting' });
    await cardWhen(runId, 'the approval card', () => true);
    expect(stack.watch.lastRunMessage(runId)).toMatch(/:white_check_mark: deploy:staging \d+s — http:\/\/127\.0\.0\.1:22200/);
    await approve(runId, BOB);
    const run = await stack.watch.settled(runId, { status: 'passed' });
    firstTag = run.release!.tag;
    const summary = await until(async () => thread(runId).find((t) => t.includes(':checkered_flag:')), 'the final summary in the thread');
    expect(summary).toContain(`\`${firstTag}\` is in *staging*, *production*`);

    // The thread: the approval card and the final summary; no "passed" line per stage.
    const replies = thread(runId);
    expect(replies.filter((t) => / passed: /.test(t.split('\n')[0]!) && !t.startsWith(`${SERVICE} main`))).toEqual([]);
    expect(replies).toHaveLength(2);
    // The mention slipway wrote in the approval stage's line reaches Slack as a mention, not as &lt;@…&gt;.
    const message = stack.watch.lastRunMessage(runId)!;
    expect(message).toContain(`approval:production`);
    expect(message).toContain(`approved by <@${BOB}>`);
    expect(message).not.toContain('&lt;@');
    expect(await served(PRODUCTION)).toBe('w1');

    // A second release: its card says what production runs (w1) → what is proposed, before and after promotion.
    const second = await pushVersion('w2');
    const secondRun = await stack.watch.settled(second, { status: 'waiting' });
    const before = await cardWhen(second, 'the second card', () => true);
    const fromTo = `\`${firstTag}\` (\`${run.sha.slice(0, 7)}\`) → \`${secondRun.release!.tag}\` (\`${secondRun.sha.slice(0, 7)}\`)`;
    expect(before).toContain(fromTo);
    expect(before).toContain('Version w2');
    await approve(second, CAROL);
    await stack.watch.settled(second, { status: 'passed' });
    const after = await cardWhen(second, 'the card to say approved', (c) => c.includes(`Approved by <@${CAROL}>`));
    expect(after).toContain(fromTo);
    expect(after).toContain('Version w2');
    expect(after).not.toContain(`\`${secondRun.release!.tag}\` (\`${secondRun.sha.slice(0, 7)}\`) → \`${secondRun.release!.tag}\``);
  });

  it('parks a release at a locked gate: the card says who and why, others are refused, the holder may approve', async () => {
    expect(await command('lock production reason: audit & <!channel> check', CAROL)).toContain(`locked ${SERVICE} production`);
    const runId = await pushVersion('w3');
    const run = await stack.watch.settled(runId, { status: 'waiting' });
    expect(run.failure).toBeUndefined();
    expect(run.stages.find((s) => s.name === 'approval:production')?.status).toBe('running');
    const card = await cardWhen(runId, 'the card to show the lock', (c) => c.includes(':lock:'));
    expect(card).toContain(`production is locked by <@${CAROL}>: audit &amp; &lt;!channel&gt; check. Until it is unlocked only <@${CAROL}> can approve this.`);
    expect(card).toContain('"action_id":"approve_promotion"');
    // No failure alert blames the author.
    expect(stack.slack.callsOf('chat.postMessage').filter((c) => String(c.args.text).includes('failed at') && String(c.args.blocks).includes(runId))).toEqual([]);

    expect(await refusedApproval(runId, BOB)).toMatch(new RegExp(`^production is locked by <@${CAROL}>: audit &amp; &lt;!channel&gt; check\\. Ask them to `));
    expect((await stack.slipway.runs.get(runId))?.status).toBe('waiting');

    await approve(runId, CAROL);
    const promoted = await stack.watch.settled(runId, { status: 'passed' });
    expect(promoted.stages.find((s) => s.name === 'approval:production')?.summary).toBe(`approved by <@${CAROL}>`);
    expect(await served(PRODUCTION)).toBe('w3');
    expect(await command('unlock production', CAROL)).toContain(`unlocked ${SERVICE} production`);
  });

  it('makes the card approvable in place once the lock is lifted, for another approver', async () => {
    expect(await command('lock production reason: incident', CAROL)).toContain(`locked ${SERVICE} production`);
    const runId = await pushVersion('w4');
    await stack.watch.settled(runId, { status: 'waiting' });
    await cardWhen(runId, 'the card to show the lock', (c) => c.includes(`production is locked by <@${CAROL}>: incident`));
    const cardPosts = () => stack.slack.callsOf('chat.postMessage').filter((c) => String(c.args.blocks).includes(`approval:${runId}|production`));
    expect(cardPosts()).toHaveLength(1);

    expect(await command('unlock production', CAROL)).toContain(`unlocked ${SERVICE} production`);
    await cardWhen(runId, 'the card to drop the lock', (c) => !c.includes(':lock:') && c.includes('"action_id":"approve_promotion"'));
    expect(cardPosts()).toHaveLength(1); // updated in place, not posted again

    await approve(runId, BOB);
    const run = await stack.watch.settled(runId, { status: 'passed' });
    expect(run.stages.find((s) => s.name === 'approval:production')?.summary).toBe(`approved by <@${BOB}>`);
    expect(await served(PRODUCTION)).toBe('w4');
    const audit = await new RedisAuditLog(stack.slipway.redis).list(SERVICE, 'production', 20);
    expect(audit.find((e) => e.runId === runId && e.action === 'approve')?.by).toBe(BOB);
  });
});
