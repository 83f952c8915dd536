import { CommitParser } from 'conventional-commits-parser';
import type { Deployment } from './ports/stores.js';
import type { Run } from './run.js';

/**
 * The four keys of delivery performance for one service and environment, from its deployment history and the
 * runs that made it: deployment frequency, lead time from commit to the environment, change failure rate and
 * time to restore. Pure: the caller reads the history and the runs.
 */

const DAY_MS = 86_400_000;
/** A fix or revert deployed within this long after a change counts as that change needing a fix. */
export const FIX_WITHIN_MS = DAY_MS;

export type StatsWindow = { days: number; label: string };

export const DEFAULT_WINDOW: StatsWindow = { days: 30, label: '30d' };
export const MAX_WINDOW_DAYS = 365;

/** `7d`, `30d`, `12w`: a number of days or weeks, up to a year. */
export function parseWindow(text: string): { ok: true; window: StatsWindow } | { ok: false; error: string } {
  const match = /^(\d{1,3})([dw])$/.exec(text.trim().toLowerCase());
  if (!match) return { ok: false, error: `"${text.slice(0, 20)}" is not a window: give days or weeks, like 7d, 30d or 12w.` };
  const days = Number(match[1]) * (match[2] === 'w' ? 7 : 1);
  if (days < 1 || days > MAX_WINDOW_DAYS) return { ok: false, error: `A window is 1d to ${MAX_WINDOW_DAYS}d (52w); ${text.trim()} is ${days} days.` };
  return { ok: true, window: { days, label: `${match[1]}${match[2]}` } };
}

/** What the figures read of a run: its trigger, when it started, its commits and its stages. */
export type StatsRun = Pick<Run, 'id' | 'sha' | 'trigger' | 'createdAt' | 'commits' | 'stages'>;

/** Why a change counts as failed. */
export type FailureKind = 'failed' | 'rolled back' | 'needed a fix';

export type DayCount = { day: string; good: number; failed: number };

export type DeliveryStats = {
  service: string;
  environment: string;
  window: StatsWindow & { from: string; to: string };
  /** Changes that reached the environment and stayed healthy enough to serve (succeeded deployments, restores excluded). */
  deployments: number;
  deploymentsPerDay: number;
  /** Every change attempted: succeeded or failed deployments, restores excluded. */
  changes: number;
  failedChanges: number;
  failures: Record<FailureKind, number>;
  /** failedChanges / changes; undefined without changes. */
  changeFailureRatio?: number;
  /** Median seconds from commit to deployment, over every commit the window's changes brought. */
  leadTime?: { medianSeconds: number; samples: number; fromPushTime: number };
  /** Median seconds from a failed change to the next good deployment; `open` failures are not restored yet. */
  timeToRestore?: { medianSeconds: number; samples: number };
  unrestored: number;
  daily: DayCount[];
};

type Change = { deployment: Deployment; index: number; failure?: FailureKind };

// `type(scope)!: …` is a breaking change of that type (the parser's default header pattern has no `!`).
const parser = new CommitParser({ breakingHeaderPattern: /^(\w*)(?:\((.*)\))?!: (.*)$/ });

/** Whether a commit message is a conventional `fix` or a revert. */
export function isFixCommit(message: string): boolean {
  if (/^revert\b/i.test(message.trim())) return true;
  const type = parser.parse(message).type?.toLowerCase();
  return type === 'fix' || type === 'revert' || type === 'hotfix';
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The figures over `window` ending at `now`. `history` is the environment's deployments in any order (the store
 * keeps them newest first); `runs` the service's runs that the deployments name, and others of the same
 * shas (where a deployment's own run carries no commits, as a `/deploy` has none, they give the commit times).
 */
export function deliveryStats(
  service: string,
  environment: string,
  history: readonly Deployment[],
  runs: readonly StatsRun[],
  window: StatsWindow,
  now: Date,
): DeliveryStats {
  const to = now.getTime();
  const from = to - window.days * DAY_MS;
  const byId = new Map(runs.map((r) => [r.id, r]));
  const ordered = history
    .filter((d) => d.service === service && d.environment === environment && Number.isFinite(Date.parse(d.at)))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

  const changes = classify(ordered, environment, byId);
  const inWindow = changes.filter((c) => within(c.deployment.at, from, to));
  const good = inWindow.filter((c) => c.deployment.outcome === 'succeeded');
  const failed = inWindow.filter((c) => c.failure);
  const failures: Record<FailureKind, number> = { failed: 0, 'rolled back': 0, 'needed a fix': 0 };
  for (const c of failed) failures[c.failure!] += 1;

  const lead = leadTimes(good, byId, runs);
  const restore = restoreTimes(failed, ordered, changes);
  const leadMedian = median(lead.samples);
  const restoreMedian = median(restore.samples);

  return {
    service,
    environment,
    window: { ...window, from: new Date(from).toISOString(), to: now.toISOString() },
    deployments: good.length,
    deploymentsPerDay: good.length / window.days,
    changes: inWindow.length,
    failedChanges: failed.length,
    failures,
    ...(inWindow.length > 0 ? { changeFailureRatio: failed.length / inWindow.length } : {}),
    ...(leadMedian !== undefined ? { leadTime: { medianSeconds: leadMedian, samples: lead.samples.length, fromPushTime: lead.fromPushTime } } : {}),
    ...(restoreMedian !== undefined ? { timeToRestore: { medianSeconds: restoreMedian, samples: restore.samples.length } } : {}),
    unrestored: restore.open,
    daily: dailyCounts(inWindow, from, window.days),
  };
}

function within(at: string, from: number, to: number): boolean {
  const t = Date.parse(at);
  return t > from && t <= to;
}

/**
 * Walks the history oldest first. A succeeded deployment of a digest that served before, other than the one
 * serving, is a restore (a rollback, automatic or by `/rollback`): not a change, and it marks the change it
 * replaced as rolled back. Every other succeeded or failed deployment is a change.
 */
function classify(ordered: readonly Deployment[], environment: string, runs: ReadonlyMap<string, StatsRun>): Change[] {
  const changes: Change[] = [];
  const served = new Set<string>();
  let live: Change | undefined;
  let liveDigest: string | undefined;
  for (const [index, deployment] of ordered.entries()) {
    if (deployment.outcome === 'torn down') {
      live = undefined;
      liveDigest = undefined;
      continue;
    }
    const digest = deployment.release.digest;
    const run = runs.get(deployment.runId);
    const restore =
      deployment.outcome === 'succeeded' &&
      digest !== liveDigest &&
      (served.has(digest) || run?.trigger === 'rollback');
    if (restore) {
      // Rolled back says more than its failed checks did (slipway rolls back after them where it may).
      if (live) live.failure = 'rolled back';
      live = undefined;
      liveDigest = digest;
      served.add(digest);
      continue;
    }
    if (deployment.outcome === 'failed') {
      changes.push({ deployment, index, failure: 'failed' });
      continue;
    }
    if (digest === liveDigest) continue; // the same release placed again (new settings): not a change
    const change: Change = { deployment, index };
    // Its checks failed after the deploy and the release stayed: someone had to fix forward.
    if (run?.stages.some((s) => s.name === `synthetics:${environment}` && s.status === 'failed')) change.failure = 'needed a fix';
    // A fix or revert deployed soon after it: the change needed that fix.
    if (live && !live.failure && Date.parse(deployment.at) - Date.parse(live.deployment.at) <= FIX_WITHIN_MS && headIsFix(run, deployment)) {
      live.failure = 'needed a fix';
    }
    changes.push(change);
    live = change;
    liveDigest = digest;
    served.add(digest);
  }
  return changes;
}

function headIsFix(run: StatsRun | undefined, deployment: Deployment): boolean {
  const head = run?.commits.find((c) => c.sha === deployment.release.sha) ?? run?.commits.at(-1);
  return head !== undefined && isFixCommit(head.message);
}

/**
 * Seconds from each commit a change brought to its deployment. A commit's own time where the push gave it
 * (recorded since slipway 0.1's issue 20); otherwise the time slipway received the push (the run's start), the
 * best older history has.
 */
function leadTimes(good: readonly Change[], byId: ReadonlyMap<string, StatsRun>, runs: readonly StatsRun[]): { samples: number[]; fromPushTime: number } {
  const samples: number[] = [];
  let fromPushTime = 0;
  for (const { deployment } of good) {
    const deployedAt = Date.parse(deployment.at);
    const own = byId.get(deployment.runId);
    // The run that brought the commits: this one, or the earliest push run of the same sha.
    const source =
      own && own.commits.length > 0
        ? own
        : runs.filter((r) => r.sha === deployment.release.sha && r.commits.length > 0).sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
    if (!source) continue;
    for (const commit of source.commits) {
      const at = commit.at !== undefined ? Date.parse(commit.at) : Number.NaN;
      const committed = Number.isFinite(at) ? at : Date.parse(source.createdAt);
      if (!Number.isFinite(at)) fromPushTime += 1;
      if (Number.isFinite(committed)) samples.push(Math.max(0, (deployedAt - committed) / 1000));
    }
  }
  return { samples, fromPushTime };
}

/** Seconds from each failed change to the next good deployment after it: a restore, or a change that did not fail. */
function restoreTimes(failed: readonly Change[], ordered: readonly Deployment[], changes: readonly Change[]): { samples: number[]; open: number } {
  const failedIndexes = new Set(changes.filter((c) => c.failure).map((c) => c.index));
  const samples: number[] = [];
  let open = 0;
  for (const change of failed) {
    let restoredAt: number | undefined;
    for (let i = change.index + 1; i < ordered.length; i += 1) {
      const next = ordered[i]!;
      if (next.outcome === 'succeeded' && !failedIndexes.has(i)) {
        restoredAt = Date.parse(next.at);
        break;
      }
    }
    if (restoredAt === undefined) open += 1;
    else samples.push((restoredAt - Date.parse(change.deployment.at)) / 1000);
  }
  return { samples, open };
}

function dailyCounts(changes: readonly Change[], from: number, days: number): DayCount[] {
  const counts = new Map<string, DayCount>();
  // One bar a calendar day (UTC), from the window's first day to today's.
  for (let i = 0; i <= days; i += 1) {
    const day = new Date(from + i * DAY_MS).toISOString().slice(0, 10);
    counts.set(day, { day, good: 0, failed: 0 });
  }
  for (const { deployment, failure } of changes) {
    const entry = counts.get(deployment.at.slice(0, 10));
    if (!entry) continue;
    if (failure) entry.failed += 1;
    else entry.good += 1;
  }
  return [...counts.values()];
}
