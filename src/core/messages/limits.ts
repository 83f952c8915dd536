/**
 * Slack's Block Kit limits (docs.slack.dev/reference/block-kit). Slack refuses a whole message when one block
 * is over one of them (`invalid_blocks`, `msg_too_long`), so every builder cuts its content to fit, visibly.
 * Lengths are counted in UTF-16 units, never fewer than the characters Slack counts.
 */
export const LIMITS = {
  blocksPerMessage: 50,
  /** Slack refuses more (`msg_too_long`); clients show 4,000 of a notification's text anyway. */
  messageText: 40_000,
  notificationText: 4_000,
  sectionText: 3_000,
  headerText: 150,
  contextElements: 10,
  contextText: 3_000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  id: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

const ELLIPSIS = '…';

/**
 * `text` cut to at most `max` units, ending in `…` when cut. The cut never splits what Slack reads as one
 * thing — an `&amp;` entity, a `<@U123>` mention or `<url|link>`, a surrogate pair — and closes a code fence
 * it cut open, so the rest still renders as it would have.
 */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ELLIPSIS.length);
  for (;;) {
    let head = text.slice(0, end);
    const open = head.lastIndexOf('<');
    if (open > head.lastIndexOf('>')) head = head.slice(0, open);
    const amp = head.lastIndexOf('&');
    if (amp >= 0 && amp > head.length - 8 && !head.slice(amp).includes(';')) head = head.slice(0, amp);
    if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
    const fenced = (head.match(/```/g)?.length ?? 0) % 2 === 1;
    const result = fenced ? `${head}${ELLIPSIS}\`\`\`` : `${head}${ELLIPSIS}`;
    if (result.length <= max || end === 0) return result.length <= max ? result : ELLIPSIS.slice(0, max);
    end -= result.length - max;
  }
}

/** `… 2,318 more lines on the run page`, the run page linked when there is one. */
export function moreNotice(count: number, what: string, runUrl?: string, elsewhere = 'on the run page'): string {
  const where = runUrl ? `<${runUrl}|${elsewhere}>` : elsewhere;
  return `_… ${count.toLocaleString('en-US')} more ${what} ${where}_`;
}

export type FitOptions = {
  /** What a line is called in the notice ("lines", "commits"). */
  what?: string;
  runUrl?: string;
  /** Where the rest can be seen, when not on the run page ("not shown"). */
  elsewhere?: string;
  /** Keep the last lines rather than the first (a log's end explains the failure). */
  fromEnd?: boolean;
  /** Lines left out before these (a log tail read from a longer log): counted in the notice. */
  alreadyLeftOut?: number;
  /** Wraps the kept lines (a code fence); its length counts against `max`. */
  wrap?: (kept: string) => string;
};

/**
 * As many whole lines (already escaped) as fit in `max` units, joined, plus a notice saying how many were left
 * out. A single line longer than the room left is cut rather than dropped, so something always shows.
 */
export function fitLines(lines: readonly string[], max: number, options: FitOptions = {}): string {
  const { what = 'lines', runUrl, elsewhere, fromEnd = false, alreadyLeftOut = 0, wrap = (s: string) => s } = options;
  const ordered = fromEnd ? [...lines].reverse() : [...lines];
  const render = (kept: string[], leftOut: number) => {
    const body = kept.length > 0 ? wrap((fromEnd ? [...kept].reverse() : kept).join('\n')) : '';
    const notice = leftOut > 0 ? moreNotice(leftOut, what, runUrl, elsewhere) : '';
    return (fromEnd ? [notice, body] : [body, notice]).filter(Boolean).join('\n');
  };
  const kept: string[] = [];
  for (const [i, line] of ordered.entries()) {
    const leftOut = ordered.length - i - 1 + alreadyLeftOut;
    if (render([...kept, line], leftOut).length <= max) {
      kept.push(line);
      continue;
    }
    const spare = max - render([...kept, ''], ordered.length - i + alreadyLeftOut).length;
    if (kept.length === 0 && spare > ELLIPSIS.length) kept.push(cut(line, spare));
    return cut(render(kept, ordered.length - kept.length + alreadyLeftOut), max);
  }
  return cut(render(kept, alreadyLeftOut), max);
}

/** Lines split over as many sections' worth of text as they need, each within a section's limit. */
export function chunkLines(lines: readonly string[], max: number = LIMITS.sectionText): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of lines.map((l) => cut(l, max))) {
    if (current && current.length + 1 + line.length > max) {
      chunks.push(current);
      current = line;
    } else current = current ? `${current}\n${line}` : line;
  }
  return current ? [...chunks, current] : chunks;
}
