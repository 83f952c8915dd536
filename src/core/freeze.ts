import { CronExpressionParser } from 'cron-parser';
import type { FreezeWindow } from './config-schema.js';
import type { AdHocFreeze } from './ports.js';
import type { Run } from './run.js';

/** `from` is when this occurrence of the window started: with `until`, what identifies the freeze a break glass breaks. */
export type ActiveFreeze = { from?: Date; until: Date; reason?: string; timeZone: string };

/** An environment's windows: those in `slipway.yml` and the one set from Slack with `/slipway freeze`, if any. */
export function freezeWindows(configured: readonly FreezeWindow[], adHoc: AdHocFreeze | undefined): FreezeWindow[] {
  return adHoc ? [...configured, { from: adHoc.from, until: adHoc.until, timeZone: 'UTC', reason: adHoc.reason }] : [...configured];
}

/**
 * The freeze in force at `now`, if any; of overlapping windows, the one that ends last. A weekly window is
 * in force when its latest start is later than its latest end: started and not yet ended.
 */
export function activeFreeze(windows: readonly FreezeWindow[], now: Date): ActiveFreeze | undefined {
  let found: ActiveFreeze | undefined;
  for (const freeze of activeFreezes(windows, now)) if (!found || freeze.until > found.until) found = freeze;
  return found;
}

/** Every window in force at `now`: a break glass must be for each of them. */
export function activeFreezes(windows: readonly FreezeWindow[], now: Date): ActiveFreeze[] {
  return windows.flatMap((window) => {
    const span = spanOfWindow(window, now);
    return span ? [{ from: span.from, until: span.until, reason: window.reason, timeZone: window.timeZone }] : [];
  });
}

/**
 * The freeze that stops this run now: of those in force, the one ending last that its break glass was not for;
 * undefined when none is in force or it broke them all.
 */
export function unbrokenFreeze(run: Pick<Run, 'override' | 'breaks'>, environment: string, windows: readonly FreezeWindow[], now: Date): ActiveFreeze | undefined {
  let found: ActiveFreeze | undefined;
  for (const freeze of activeFreezes(windows, now)) {
    if (!breaksFreeze(run, environment, freeze) && (!found || freeze.until > found.until)) found = freeze;
  }
  return found;
}

/** Which freeze a `/deploy force` breaks: the one in force when it was asked for. */
export type BrokenFreeze = { environment: string; from: string; until: string };

export function brokenFreeze(environment: string, freeze: ActiveFreeze): BrokenFreeze {
  return { environment, from: freeze.from?.toISOString() ?? '', until: freeze.until.toISOString() };
}

/**
 * Whether the run's break glass was for this very freeze. A freeze declared (or moved) after it is another
 * freeze: it stops the deploy like any other until someone breaks it too.
 */
export function breaksFreeze(run: Pick<Run, 'override' | 'breaks'>, environment: string, freeze: ActiveFreeze): boolean {
  if (!run.override) return false;
  const it = brokenFreeze(environment, freeze);
  return (run.breaks ?? []).some((b) => b.environment === it.environment && b.from === it.from && b.until === it.until);
}

function spanOfWindow(window: FreezeWindow, now: Date): { from: Date; until: Date } | undefined {
  const from = Date.parse(window.from);
  if (!Number.isNaN(from)) {
    const until = new Date(window.until);
    return from <= now.getTime() && now < until ? { from: new Date(from), until } : undefined;
  }
  // cron-parser's prev() is strictly before currentDate: a millisecond later makes the boundary itself count.
  const at = (expression: string) => CronExpressionParser.parse(expression, { currentDate: new Date(now.getTime() + 1), tz: window.timeZone });
  const started = at(window.from).prev().getTime();
  const ended = at(window.until).prev().getTime();
  if (started <= ended) return undefined;
  return { from: new Date(started), until: at(window.until).next().toDate() };
}

/** "Mon 24 Nov 08:00 (Europe/Berlin)": the window's end as the people who set it read it. */
export function freezeEnd(freeze: ActiveFreeze): string {
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone: freeze.timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(freeze.until);
  return `${text.replace(',', '')} (${freeze.timeZone})`;
}

/** One line for a refusal: what is frozen, until when, and why. */
export function freezeLine(environment: string, freeze: ActiveFreeze): string {
  return `${environment} is frozen until ${freezeEnd(freeze)}${freeze.reason ? `: ${freeze.reason}` : ''}`;
}
