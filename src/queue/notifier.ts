import type { Job } from 'bullmq';
import type { ChatApi } from '../core/chat-api.js';
import type { ServiceConfig } from '../core/config-schema.js';
import { failureAlert, mention } from '../core/messages/failure-alert.js';
import { releaseMessage } from '../core/messages/release-message.js';
import { runMessage, stageDetailMessage } from '../core/messages/run-message.js';
import { runSummaryMessage } from '../core/messages/run-summary.js';
import { createHash } from 'node:crypto';
import { approvalCard } from '../core/messages/approval-card.js';
import { code } from '../core/messages/blocks.js';
import { approvalProgress, approvalRules, describeMissing } from '../core/approval-rules.js';
import type { ApprovalStore, ArtifactStore, DeploymentStore, LockStore, LogStore, Logger, PostedMessages, ReleaseStore, RunStore, SlackDirectory } from '../core/ports.js';
import { commitsBetween } from '../core/release-history.js';
import { type Run, stageEnvironment, stageKind } from '../core/run.js';
import { NOTIFICATIONS_QUEUE, RunJobData } from '../core/jobs.js';
import { ATTR, contextFrom, inSpan, SpanKind } from '../core/tracing.js';
import { plainTextFallback } from './plain-text-fallback.js';

export type NotifierDeps = {
  slack: ChatApi;
  posted: PostedMessages;
  directory: SlackDirectory;
  runs: RunStore;
  logs: LogStore;
  approvals: ApprovalStore;
  deployments: DeploymentStore;
  releases: ReleaseStore;
  locks: LockStore;
  artifacts: ArtifactStore;
  services: readonly ServiceConfig[];
  log: Logger;
  runUrl?(runId: string): string;
};

/**
 * Brings Slack up to date with a run: posts its message or updates it in place (passed stages are shown
 * there), adds thread replies only for what someone acts on (a failed stage, the approval card, the summary of
 * a run that passed), and posts the failure alert. What was posted is recorded (PostedMessages) before the next post, so a
 * retried job (Slack down, worker restarted) never posts anything twice.
 */
export function createNotifier(base: NotifierDeps) {
  return async (job: Job<RunJobData>): Promise<void> => {
    const { runId } = RunJobData.parse(job.data);
    // A message Slack refuses goes out again as plain text with the run page link: the job goes on.
    const deps = { ...base, slack: plainTextFallback(base.slack, { log: base.log, runId, runUrl: base.runUrl?.(runId) }) };
    const run = await deps.runs.get(runId);
    if (!run) return;
    const service = deps.services.find((s) => s.name === run.service);
    if (!service) return;
    // Slack's calls for a run join the run's trace (the traceparent its first request left on it).
    const attributes = { [ATTR.runId]: run.id, [ATTR.service]: run.service, [ATTR.messagingSystem]: 'bullmq', [ATTR.messagingDestination]: NOTIFICATIONS_QUEUE, [ATTR.messagingOperation]: 'process' };
    await inSpan(`process ${NOTIFICATIONS_QUEUE}`, { kind: SpanKind.CONSUMER, attributes, parent: contextFrom({ traceparent: run.traceparent }) }, async () => {
      const posted = await deps.posted.read(runId);
      const message = runMessage(run, { runUrl: deps.runUrl?.(run.id) });

      let channel = posted.channel;
      let ts = posted.ts;
      if (!channel || !ts) {
        const answer = await deps.slack.chat.postMessage({ channel: service.channel, text: message.text, blocks: message.blocks, unfurl_links: false });
        channel = answer.channel ?? service.channel;
        ts = answer.ts ?? '';
        await deps.posted.record(runId, { channel, ts });
      } else {
        await deps.slack.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
      }

      // The thread carries what someone acts on: a failed stage's detail, the approval card, the final summary.
      // Passed stages are in the run message above it.
      for (const stage of run.stages) {
        if (stage.status !== 'failed' || !stage.summary || posted[`stage:${stage.name}`]) continue;
        const detail = stageDetailMessage(stage);
        await deps.slack.chat.postMessage({ channel, thread_ts: ts, text: detail.text, blocks: detail.blocks, unfurl_links: false });
        await deps.posted.record(runId, { [`stage:${stage.name}`]: '1' });
      }

      // Screenshots of failed browser checks go to the thread, once each.
      for (const artifact of await deps.artifacts.list(run.id)) {
        const field = `file:${artifact.stage}:${artifact.name}`;
        if (posted[field]) continue;
        const bytes = await deps.artifacts.read(artifact);
        if (!bytes) continue;
        await deps.slack.files.uploadV2({
          channel_id: channel,
          thread_ts: ts,
          file: Buffer.from(bytes),
          filename: artifact.name,
          title: `${artifact.stage}: ${artifact.name}`,
        });
        await deps.posted.record(runId, { [field]: '1' });
      }

      for (const stage of run.stages.filter((s) => stageKind(s.name) === 'approval')) {
        await syncApprovalCard(deps, run, stageEnvironment(stage.name) ?? '', { channel, ts }, posted);
      }

      if (run.status === 'failed' && run.failure && !posted.alert) {
        const userId = await deps.directory.userIdByEmail(run.author.email);
        const log = await deps.logs.read(run.id, run.failure.stage);
        const alert = failureAlert(run, { authorMention: mention(userId, run.author.name), log, runUrl: deps.runUrl?.(run.id) });
        const answer = await deps.slack.chat.postMessage({ channel, text: alert.text, blocks: alert.blocks, unfurl_links: false });
        await deps.posted.record(runId, { alert: '1' });
        await deps.posted.openAlert(alertPlace(run), { channel, ts: answer.ts, runId: run.id });
      }
      // A version made (or, after a rollback, run again): its notes in the thread, once.
      const release = !posted.version ? releaseMessage(run, { runUrl: deps.runUrl?.(run.id) }) : undefined;
      if (release) {
        await deps.slack.chat.postMessage({ channel, thread_ts: ts, text: release.text, blocks: release.blocks, unfurl_links: false });
        await deps.posted.record(runId, { version: '1' });
      }
      if (run.status === 'passed' && !posted.summary) {
        const summary = runSummaryMessage(run, { runUrl: deps.runUrl?.(run.id) });
        await deps.slack.chat.postMessage({ channel, thread_ts: ts, text: summary.text, blocks: summary.blocks, unfurl_links: false });
        await deps.posted.record(runId, { summary: '1' });
      }
      const deployed = run.stages.find((s) => s.name === `deploy:${run.target.environment}`)?.status === 'passed';
      if (run.status !== 'failed' && deployed) await backToNormal(deps, run);
    });
  };
}

/**
 * The approval card of one gate: posted once in the run's thread (and broadcast to the channel), then edited
 * whenever what it shows changes — decided, expired, superseded, the environment locked or unlocked.
 */
async function syncApprovalCard(
  deps: NotifierDeps,
  run: Run,
  environment: string,
  where: { channel: string; ts: string },
  posted: Record<string, string>,
): Promise<void> {
  const approval = await deps.approvals.get(run.id, environment);
  if (!approval) return;
  const current = await deps.deployments.current(run.service, environment);
  // Open: compared with what runs now. Decided: with what ran when it was asked (after a promotion, what runs
  // now is this very release, and the card would say `x → x` with no changes).
  const from = approval.state === 'pending' ? current && { ...current.release, runId: current.runId } : approval.from;
  const currentRelease = from && (await deps.releases.get(run.service, from.sha));
  const service = deps.services.find((s) => s.name === run.service);
  const settings = service?.environments.find((e) => e.name === environment);
  const rules = service && settings ? approvalRules(service, settings, { breakGlass: approval.breakGlass }) : [];
  const progress = approvalProgress(rules, await deps.approvals.votes(run.id, environment));
  const card = approvalCard({
    run,
    votes: { counted: progress.counted, missing: describeMissing(progress.missing), needed: rules.reduce((n, r) => n + r.count, 0) },
    approval,
    current: from,
    commits: commitsBetween(await deps.runs.listByService(run.service, 100), from?.runId, run),
    lock: await deps.locks.get(run.service, environment),
    coverageChange:
      run.quality?.coverage !== undefined && currentRelease?.coverage !== undefined ? run.quality.coverage - currentRelease.coverage : undefined,
  });
  const digest = createHash('sha256').update(JSON.stringify(card)).digest('hex');
  const cardTs = posted[`card:${environment}`];
  if (!cardTs) {
    const answer = await deps.slack.chat.postMessage({
      channel: where.channel,
      thread_ts: where.ts,
      reply_broadcast: true,
      text: card.text,
      blocks: card.blocks,
      unfurl_links: false,
    });
    await deps.posted.record(run.id, { [`card:${environment}`]: answer.ts ?? '', [`cardDigest:${environment}`]: digest });
  } else if (posted[`cardDigest:${environment}`] !== digest) {
    await deps.slack.chat.update({ channel: where.channel, ts: cardTs, text: card.text, blocks: card.blocks });
    await deps.posted.record(run.id, { [`cardDigest:${environment}`]: digest });
  }
}

/**
 * The first run to deploy after a failure on the same branch and environment says so, once, in the thread of
 * the failure's alert (of two passing runs, one takes it).
 */
async function backToNormal(deps: NotifierDeps, run: Run): Promise<void> {
  const alert = await deps.posted.takeAlert(alertPlace(run));
  if (!alert) return;
  const text = `:large_green_circle: Back to normal: run ${code(run.id)} (${code(run.sha.slice(0, 7))}) passed after ${code(alert.runId)} failed.`;
  await deps.slack.chat.postMessage({ channel: alert.channel, thread_ts: alert.ts, text, unfurl_links: false });
}

const alertPlace = (run: Run) => ({ service: run.service, branch: run.branch, environment: run.target.environment });
