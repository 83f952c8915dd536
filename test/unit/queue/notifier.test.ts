import { LogLevel, WebClient } from '@slack/web-api';
import type { Job } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { slackClient } from '../../../src/adapters/slack/slack-client.js';
import type { ChatApi } from '../../../src/core/chat-api.js';
import type { RunJobData } from '../../../src/core/jobs.js';
import { completeRun, failRun, parkRun, passStage, type Run, startStage } from '../../../src/core/run.js';
import { openGate } from '../../../src/queue/gates.js';
import { createNotifier } from '../../../src/queue/notifier.js';
import { FakeSlack, type SlackCall } from '../../fakes/fake-slack.js';
import { MemoryPostedMessages } from '../../memory/memory-posted-messages.js';
import { memoryPorts } from '../../memory/memory-ports.js';
import { APPROVER, aRun, aRunAtGate, NOW, recordingLog, SERVICES, SIGNING_KEY } from './queue-fixtures.js';

const TOKEN = 'xoxb-unit-notifier';
const ANN = 'U0ANN';
const slack = new FakeSlack({ token: TOKEN });
beforeAll(() => slack.start());
afterAll(() => slack.stop());
// Slack refused nothing and was asked nothing it does not know.
afterEach(() => expect(slack.unexpected).toEqual([]));

const job = (runId: string) => ({ data: { runId } }) as Job<RunJobData>;

/** A notifier on memory stores; what it sends goes to the fake Slack. Calls are counted from here on. */
function setup(chat?: ChatApi) {
  const ports = memoryPorts({ now: () => NOW.getTime(), users: { 'ann@example.com': ANN } });
  const posted = new MemoryPostedMessages(() => NOW.getTime());
  const { log } = recordingLog();
  const notify = createNotifier({
    slack: chat ?? slackClient(TOKEN, slack.url, log),
    posted,
    directory: ports.directory,
    runs: ports.runs,
    logs: ports.logs,
    approvals: ports.approvals,
    deployments: ports.deployments,
    releases: ports.releases,
    locks: ports.locks,
    artifacts: ports.artifacts,
    services: SERVICES,
    log,
    runUrl: (id) => `https://slipway.example.com/runs/${id}`,
  });
  const from = slack.calls.length;
  const calls = (method?: string): SlackCall[] => slack.calls.slice(from).filter((c) => !method || c.method === method);
  const gate = { ...ports, services: SERVICES, log, now: () => NOW, signingKey: SIGNING_KEY };
  return { ports, posted, notify, calls, gate };
}

const threadOf = (call: SlackCall) => call.args.thread_ts;

/** A run of build and deploy to production that failed at build. */
const failedRun = (id = 'run-1'): Run => failRun(startStage(aRun(id, ['build', 'deploy:production']), 'build', NOW), 'build', 'the Dockerfile has no FROM', NOW);

describe('the notifier', () => {
  it('posts the run\'s message once, in its service\'s channel, then updates it in place', async () => {
    const { ports, posted, notify, calls } = setup();
    const run = aRun('run-1', ['build', 'deploy:production']);
    await ports.runs.create(run);

    await notify(job('run-1'));
    await ports.runs.save(startStage(run, 'build', NOW));
    await notify(job('run-1'));

    const [post, ...otherPosts] = calls('chat.postMessage');
    const ts = slack.answerTs(post!);
    expect(post?.args).toMatchObject({ channel: '#discounts' });
    expect(threadOf(post!)).toBeUndefined();
    expect(otherPosts).toEqual([]);
    expect(calls('chat.update').map((c) => [c.args.channel, c.args.ts])).toEqual([['#discounts', ts]]);
    expect(await posted.read('run-1')).toEqual({ channel: '#discounts', ts });
  });

  it('posts a failed stage\'s detail in the run\'s thread once, and the alert once with the author\'s mention', async () => {
    const { ports, posted, notify, calls } = setup();
    await ports.runs.create(failedRun());

    await notify(job('run-1'));
    await notify(job('run-1'));

    const [message, detail, alert, ...more] = calls('chat.postMessage');
    const ts = slack.answerTs(message!);
    expect(more).toEqual([]);
    expect(threadOf(detail!)).toBe(ts);
    expect(String(detail?.args.text)).toContain('the Dockerfile has no FROM');
    expect(threadOf(alert!)).toBeUndefined();
    expect(String(alert?.args.text) + String(alert?.args.blocks)).toContain(`<@${ANN}>`);
    expect(await posted.read('run-1')).toMatchObject({ 'stage:build': '1', alert: '1' });
    expect(await posted.takeAlert({ service: 'discounts', branch: 'main', environment: 'production' })).toEqual({ channel: '#discounts', ts: slack.answerTs(alert!), runId: 'run-1' });
  });

  it('names an author Slack does not know as the commit wrote it, without a mention', async () => {
    const { ports, notify, calls } = setup();
    await ports.runs.create({ ...failedRun(), author: { name: 'Bob Stranger', email: 'bob@elsewhere.example' } });

    await notify(job('run-1'));

    const alert = calls('chat.postMessage')[2];
    const shown = String(alert?.args.text) + String(alert?.args.blocks);
    expect(shown).toContain('Bob Stranger');
    expect(shown).not.toContain('<@');
  });

  it('posts the approval card once in the thread, broadcast, and edits it only when what it shows changes', async () => {
    const { ports, posted, notify, calls, gate } = setup();
    const run = parkRun(aRunAtGate('run-1'), 'approval:production', NOW);
    await ports.runs.create(run);
    await openGate(run, 'approval:production', gate);

    await notify(job('run-1'));
    await notify(job('run-1'));
    const updatesBeforeDecision = calls('chat.update').length;
    await ports.approvals.decide('run-1', 'production', { state: 'approved', by: APPROVER, at: NOW.toISOString() });
    await notify(job('run-1'));

    const [message, card, ...more] = calls('chat.postMessage');
    const cardTs = slack.answerTs(card!);
    expect(more).toEqual([]);
    expect(card?.args).toMatchObject({ thread_ts: slack.answerTs(message!), reply_broadcast: 'true' });
    // Before the decision the second job updates only the run message; after it, the card too.
    expect(updatesBeforeDecision).toBe(1);
    const cardEdits = calls('chat.update').filter((c) => c.args.ts === cardTs);
    expect(cardEdits).toHaveLength(1);
    expect((await posted.read('run-1'))['card:production']).toBe(cardTs);
  });

  it('posts the summary of a passed run once, in its thread', async () => {
    const { ports, notify, calls } = setup();
    await ports.runs.create(completeRun(passStage(aRun('run-1', ['build']), 'build', NOW), NOW));

    await notify(job('run-1'));
    await notify(job('run-1'));

    const [message, summary, ...more] = calls('chat.postMessage');
    expect(more).toEqual([]);
    expect(threadOf(summary!)).toBe(slack.answerTs(message!));
  });

  it('says back to normal once, in the failure alert\'s thread, when the next run deploys the same place', async () => {
    const { ports, notify, calls } = setup();
    await ports.runs.create(failedRun('run-1'));
    await notify(job('run-1'));
    const alertTs = slack.answerTs(calls('chat.postMessage')[2]!);
    const passing = (id: string) => completeRun(passStage(aRun(id, ['deploy:production']), 'deploy:production', NOW), NOW);
    await ports.runs.create(passing('run-2'));
    await ports.runs.create(passing('run-3'));

    await notify(job('run-2'));
    await notify(job('run-3'));
    await notify(job('run-2'));

    const backToNormal = calls('chat.postMessage').filter((c) => String(c.args.text).includes('Back to normal'));
    expect(backToNormal).toHaveLength(1);
    expect(backToNormal[0]?.args).toMatchObject({ channel: '#discounts', thread_ts: alertTs });
    expect(String(backToNormal[0]?.args.text)).toContain('`run-2`');
  });

  it('a job retried after Slack failed mid-way posts nothing it had posted again', async () => {
    // A client without retries of its own: Slack's failure reaches the job, as it does once a client's retries are spent.
    const { ports, notify, calls } = setup(new WebClient(TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR }));
    await ports.runs.create(failedRun());
    await ports.artifacts.save({ runId: 'run-1', stage: 'build', name: 'screen.png' }, Buffer.from('PNG bytes'));
    // The run message and the stage detail go out, then the screenshot's upload fails: the job fails.
    slack.failNext('files.completeUploadExternal', 1, { status: 500 });
    const crashed = await notify(job('run-1')).then(() => 'finished', () => 'failed');

    await notify(job('run-1'));

    const [message, detail, alert, ...more] = calls('chat.postMessage');
    expect(crashed).toBe('failed');
    expect(more).toEqual([]);
    expect(threadOf(message!)).toBeUndefined();
    expect(String(detail?.args.text)).toContain('the Dockerfile has no FROM');
    expect(String(alert?.args.text) + String(alert?.args.blocks)).toContain(`<@${ANN}>`);
    expect(calls('chat.update')).toHaveLength(1);
    expect(calls('files.completeUploadExternal')).toHaveLength(1);
  });

  it('sends a run message Slack refuses as plain text with the run page link, and goes on', async () => {
    const { ports, posted, notify, calls } = setup();
    await ports.runs.create(failedRun());
    slack.refuseNext('chat.postMessage', 1, 'invalid_blocks');

    await notify(job('run-1'));

    const [message, detail, alert, ...more] = calls('chat.postMessage');
    expect(more).toEqual([]);
    expect(message?.args.blocks).toBeUndefined();
    expect(String(message?.args.text)).toContain("_Slack refused this message's layout; the details are on <https://slipway.example.com/runs/run-1|the run page>._");
    expect(threadOf(detail!)).toBe(slack.answerTs(message!));
    expect(alert).toBeDefined();
    expect((await posted.read('run-1')).ts).toBe(slack.answerTs(message!));
  });

  it.each([
    ['a run the store does not have', undefined],
    ['a run of a service no longer in slipway.yml', { ...aRun('run-1', ['build']), service: 'gone' }],
  ])('posts nothing for %s', async (_case, run) => {
    const { ports, notify, calls } = setup();
    if (run) await ports.runs.create(run);

    await notify(job('run-1'));

    expect(calls()).toEqual([]);
  });
});
