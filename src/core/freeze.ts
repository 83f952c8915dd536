import { CronExpressionParser } from 'cron-parser';
import type { FreezeWindow } from './config-schema.js';
import type { AdHocFreeze } from './ports.js';

export type ActiveFreeze = { until: Date; reason?: string; timeZone: string };

/** An environment's windows: those in `slipway.yml` and the one set from Slack with `/freeze`, if any. */
export function freezeWindows(configured: readonly FreezeWindow[], adHoc: AdHocFreeze | undefined): FreezeWindow[] {
  return adHoc ? [...configured, { from: adHoc.from, until: adHoc.until, timeZone: 'UTC', reason: adHoc.reason }] : [...configured];
}

/**
 * The freeze in force at `now`, if any; of overlapping windows, the one that ends last. A weekly window is
 * in force when its latest start is later than its latest end: started and not yet ended.
 */
export function activeFreeze(windows: readonly FreezeWindow[], now: Date): ActiveFreeze | undefined {
  let found: ActiveFreeze | undefined;
  for (const window of windows) {
    const until = endOfWindow(window, now);
    if (until && (!found || until > found.until)) found = { until, reason: window.reason, timeZone: window.timeZone };
  }
  return found;
}

function endOfWindow(window: FreezeWindow, now: Date): Date | undefined {
  const from = Date.parse(window.from);
  if (!Number.isNaN(from)) {
    const until = new Date(window.until);
    return from <= now.getTime() && now < until ? until : undefined;
  }
  // cron-parser's prev() is strictly before currentDate: a millisecond later makes the boundary itself count.
  const at = (expression: string) => CronExpressionParser.parse(expression, { currentDate: new Date(now.getTime() + 1), tz: window.timeZone });
  const started = at(window.from).prev().getTime();
  const ended = at(window.until).prev().getTime();
  if (started <= ended) return undefined;
  return at(window.until).next().toDate();
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
