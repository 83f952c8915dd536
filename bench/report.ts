/** What BENCHMARKS.md is made of, given the sections just measured. Pure, so a partial run's merge is testable. */
export type ReportParts = {
  /** The file as it was; only read when `partial`. */
  earlier: string;
  /** Each begins with its `## N. Title` heading. */
  sections: readonly string[];
  machine: readonly string[];
  today: string;
  runs: number;
  /** Only some benchmarks ran: the others' sections are kept as they were. */
  partial: boolean;
};

const HEADING = /^## (\d+)\. /;

export function report({ earlier, sections, machine, today, runs, partial }: ReportParts): string {
  const fresh = new Map(sections.map((s) => [numberOf(s), s] as const));
  const kept = partial ? blocks(earlier).filter((b) => HEADING.test(b) && !fresh.has(numberOf(b))) : [];
  const stamped = [...fresh.values()].map((s) => (partial ? stamp(s, today) : s));
  const all = [...kept, ...stamped].sort((a, b) => numberOf(a) - numberOf(b));
  const header = partial && earlier
    ? introOf(earlier)
    : `Measured by \`npm run bench\` on ${today}; ${runs} runs each (many branches: one per count, the server + worker case as many as the rest), medians of the per-run figures.`;
  return [`# Benchmarks`, '', header, '', '## Machine', '', ...machine, '', ...all.map((s) => s.trimEnd() + '\n')].join('\n');
}

/** What a report says before its machine: the date of the whole run, and any note written under it by hand. */
function introOf(text: string): string {
  const end = text.indexOf('\n## Machine');
  return text.slice(text.indexOf('\n') + 1, end < 0 ? undefined : end).trim();
}

/** A section measured apart from the rest says when. */
function stamp(section: string, today: string): string {
  const [heading, ...rest] = section.split('\n');
  return [heading, '', `_Measured on ${today}, apart from the sections around it._`, ...rest].join('\n');
}

/** The `## ` blocks of a report, each up to the next. */
function blocks(text: string): string[] {
  return text.split(/\n(?=## )/).map((b) => b.trimEnd() + '\n');
}

function numberOf(section: string): number {
  const match = HEADING.exec(section);
  if (!match) throw new Error(`a benchmark section must begin with "## N. Title", not "${section.split('\n')[0]}"`);
  return Number(match[1]);
}
