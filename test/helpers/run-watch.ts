import { isFinished, type Run } from '../../src/core/run.js';
import type { FakeSlack, SlackCall } from '../fakes/fake-slack.js';
import type { TestSlipway } from './test-slipway.js';

/** Polls `probe` until it answers something; `everyMs` finer where the wait itself is measured (benchmarks). */
export async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 120_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const served = async (port: number, path = '/version') => (await (await fetch(`http://127.0.0.1:${port}${path}`)).text()).trim();
export const stageStatus = (run: Run) => Object.fromEntries(run.stages.map((s) => [s.name, s.status]));

/** Reads runs and what Slack shows of them. */
export class RunWatch {
  constructor(
    private readonly slipwayNow: () => TestSlipway,
    private readonly slackNow: () => FakeSlack,
  ) {}

  private slipway() {
    return this.slipwayNow();
  }

  private get slack() {
    return this.slackNow();
  }

  /** Waits until the run has finished or parked at a gate, and until Slack shows that state. */
  async settled(runId: string, { status }: { status?: Run['status'] } = {}): Promise<Run> {
    const run = await until(async () => {
      const r = await this.slipway().runs.get(runId);
      const done = r && (isFinished(r) || r.status === 'waiting');
      // A run that ended otherwise will not come round: say how it ended instead of waiting out the bound.
      if (done && status && r.status !== status && isFinished(r)) {
        throw new Error(`run ${runId} ended ${r.status}, not ${status}${r.failure ? ` (${r.failure.stage}: ${r.failure.cause})` : ''}`);
      }
      return done && (!status || r.status === status) ? r : undefined;
    }, `run ${runId}${status ? ` to be ${status}` : ''}`);
    await until(async () => (this.lastRunMessage(runId)?.includes(run.status) ? true : undefined), `Slack to show ${runId} ${run.status}`, 30_000);
    return run;
  }

  topLevelPosts(runId: string): SlackCall[] {
    return this.slack
      .callsOf('chat.postMessage')
      .filter((c) => !c.args.thread_ts && String(c.args.blocks).includes(runId) && !String(c.args.text).includes('failed at'));
  }

  /** The run's message as Slack shows it now: its post, then its latest update. */
  lastRunMessage(runId: string): string | undefined {
    const post = this.topLevelPosts(runId)[0];
    return post && this.latest(post);
  }

  /** The approval card of a run's gate, as Slack shows it now. */
  approvalCard(runId: string, environment: string): string | undefined {
    const post = this.slack
      .callsOf('chat.postMessage')
      .find((c) => c.args.thread_ts && String(c.args.blocks).includes(`approval:${runId}|${environment}`));
    return post && this.latest(post);
  }

  /** What the card's Approve button carries now (the signed release): what a click sends back. */
  async approveValue(runId: string, environment: string): Promise<string> {
    return until(async () => {
      const post = this.cardPost(runId, environment);
      if (!post) return undefined;
      // A card decided since has no buttons any more; a click on it comes from the last rendering that had them.
      const ts = this.slack.answerTs(post);
      const renderings = [post, ...this.slack.callsOf('chat.update').filter((c) => c.args.ts === ts)].reverse();
      for (const r of renderings) {
        const match = /"action_id":"approve_promotion".*?"value":"([^"]+)"/.exec(String(r.args.blocks));
        if (match) return match[1];
      }
      return undefined;
    }, `the Approve button of ${runId} at ${environment}`);
  }

  private cardPost(runId: string, environment: string): SlackCall | undefined {
    return this.slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts && String(c.args.blocks).includes(`approval:${runId}|${environment}`));
  }

  private latest(post: SlackCall): string {
    const ts = this.slack.answerTs(post);
    const updates = this.slack.callsOf('chat.update').filter((c) => c.args.ts === ts);
    const latest = updates.at(-1) ?? post;
    return `${String(latest.args.text)}\n${String(latest.args.blocks)}`;
  }
}
