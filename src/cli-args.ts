import { parseArgs } from 'node:util';
import type { SlipwayMode } from './slipway.js';

/** What the command line asks for. Pure: main.ts prints and exits. */
export type CommandLine =
  | { kind: 'start'; mode: SlipwayMode }
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  /** A mistake: `message` (with a suggestion when one is near) and the usage go to stderr, exit code 1. */
  | { kind: 'mistake'; message: string };

const SUBCOMMANDS = {
  server: 'the HTTP side only: webhooks, Slack, run pages; runs wait in Redis for a worker',
  worker: 'the pipeline side only: takes runs from Redis and builds, tests and deploys them',
} as const satisfies Partial<Record<SlipwayMode, string>>;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export const USAGE = 'usage: slipway [server|worker] [--help] [--version]';

const ALL_HELP = `${USAGE}

Chat-ops delivery: git pushes and Slack commands in, tested images deployed to staging and, once approved,
to production.

  slipway           server and worker in one process (with no SLACK_BOT_TOKEN: local mode, the terminal is
                    the chat, and a sample service when slipway.yml names none)
${Object.entries(SUBCOMMANDS).map(([name, what]) => `  slipway ${name.padEnd(9)} ${what}`).join('\n')}

Options:
  -h, --help        this text (slipway <subcommand> --help: that subcommand's)
  -v, --version     slipway's version

Configuration comes from the environment (PORT, REDIS_URL, SLACK_BOT_TOKEN, …) and slipway.yml
(SLIPWAY_CONFIG); see the README.
`;

function subcommandHelp(name: keyof typeof SUBCOMMANDS): string {
  return `usage: slipway ${name} [--help] [--version]\n\n${SUBCOMMANDS[name]}.\nIt reads the same environment and slipway.yml as slipway itself; see the README.\n`;
}

/** Reads `slipway`'s arguments (without node and the script). */
export function parseCommandLine(args: readonly string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs names the unknown option; the message is the operator's to read.
    return { kind: 'mistake', message: (error as Error).message };
  }
  const { values, positionals } = parsed;
  const [word, ...rest] = positionals;
  if (values.version) return { kind: 'version' };
  if (word !== undefined && !isSubcommand(word)) {
    const near = nearest(word, Object.keys(SUBCOMMANDS));
    return { kind: 'mistake', message: `slipway has no subcommand "${word.slice(0, 40)}"${near ? `; did you mean "slipway ${near}"?` : ''}` };
  }
  if (values.help) return { kind: 'help', text: word ? subcommandHelp(word) : ALL_HELP };
  if (rest.length > 0) return { kind: 'mistake', message: `slipway ${word} takes no argument, got "${rest.join(' ').slice(0, 80)}"` };
  return { kind: 'start', mode: word ?? 'all' };
}

const isSubcommand = (word: string): word is keyof typeof SUBCOMMANDS => Object.hasOwn(SUBCOMMANDS, word);

/** The candidate within a few edits of `word` (typos, not other words), or undefined. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const scored = candidates.map((c) => ({ c, d: editDistance(word.toLowerCase(), c) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.max(2, Math.floor(best.c.length / 3)) ? best.c : undefined;
}

/** Levenshtein distance, one row at a time; words here are a few letters long. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}
