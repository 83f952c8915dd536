import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedRedis } from '../src/adapters/redis/embedded-redis.js';
import { buttonClickBody, slackHeaders, slashCommandBody } from '../test/fakes/slack-signer.js';
import { TEST_CONFIG } from '../test/helpers/test-slipway.js';
import { type Request, waves } from './load.js';
import { type Child, startNode, startSlipwayProcess } from './processes.js';
import { median, ms, percentile, x } from './stats.js';

const TOKEN = 'xoxb-bench';
const SECRET = 'bench-signing-secret';
export const ACK_LEVELS = [1, 50, 200] as const;

export type AckFigures = {
  kind: 'slash command' | 'button click';
  concurrency: number;
  slipway: { p50: number; p99: number };
  bare: { p50: number; p99: number };
  /** The median of the runs' p99 ratios to bare Bolt, each taken within one run (the machine's speed moves between runs). */
  p99Ratio: number;
  /** The same for the rung: bare Bolt with slipway's repeat check in front. */
  repeatCheckRatio: number;
};

const SIDES = ['slipway', 'repeatCheck', 'bare'] as const;
type Side = (typeof SIDES)[number];

/**
 * How many waves per level: 1000 samples at every level, so a p99 is the 10th slowest answer, not the 3rd (at 1
 * at once, 300 samples gave a p99 that moved by half from one run to the next).
 */
export const ACK_SAMPLES = 1000;
const roundsFor = (concurrency: number) => Math.max(3, Math.ceil(ACK_SAMPLES / concurrency));

function request(port: number, kind: AckFigures['kind']): Request {
  const body =
    kind === 'slash command'
      ? slashCommandBody('/slipway', 'help')
      : buttonClickBody('approve_promotion', 'discounts-unknown|production', { userId: 'U0BOB', channelId: 'C0DEPLOYS', channelName: 'deploys' });
  return { url: `http://127.0.0.1:${port}/slack/events`, body, headers: slackHeaders(body, SECRET) };
}

/**
 * Ack latency: signed slash commands and button clicks at 1, 50 and 200 at once, against slipway (server
 * mode, real Redis) and against a bare Bolt app on the same receiver whose handlers only ack. Both run as their
 * own processes; waves alternate between them so drift hits both alike. Per level, the median over `runs` of
 * each run's p50 and p99.
 */
export async function ackLatency(runs: number, log: (line: string) => void): Promise<AckFigures[]> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-bench-ack-'));
  const redis = await startEmbeddedRedis(join(dir, 'redis'));
  const children: Child[] = [];
  try {
    const slack = await startNode('dist-bench/bench/fake-slack-process.js', [], { SLACK_BOT_TOKEN: TOKEN }, /"port":(\d+)/);
    children.push(slack);
    const slackUrl = `http://127.0.0.1:${slack.port}/api/`;
    await writeFile(join(dir, 'slipway.yml'), TEST_CONFIG);
    const env = { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slackUrl };
    const slipway = await startSlipwayProcess({ ...env, REDIS_URL: redis.url, SLIPWAY_CONFIG: join(dir, 'slipway.yml') }, 'server');
    children.push(slipway);
    const bolt = (args: string[], boltEnv: Record<string, string>) => startNode('dist-bench/bench/bare-bolt.js', args, boltEnv, /"port":(\d+)[^\n]*bare bolt listening/);
    const bare = await bolt([], env);
    children.push(bare);
    // Its own Redis database, so its claims of the requests' ids are not slipway's.
    const repeatCheck = await bolt(['repeat'], { ...env, REDIS_URL: `${redis.url}/1` });
    children.push(repeatCheck);
    const portOf: Record<Side, number> = { slipway: slipway.port, repeatCheck: repeatCheck.port, bare: bare.port };

    const figures: AckFigures[] = [];
    for (const kind of ['slash command', 'button click'] as const) {
      // Warm every side up: JIT, connections, Redis.
      for (const side of SIDES) await waves(() => request(portOf[side], kind), { concurrency: 20, rounds: 5 });
      for (const concurrency of ACK_LEVELS) {
        const per = Object.fromEntries(SIDES.map((side) => [side, { p50: [] as number[], p99: [] as number[] }])) as Record<Side, { p50: number[]; p99: number[] }>;
        for (let run = 0; run < runs; run += 1) {
          const rounds = roundsFor(concurrency);
          const samples = Object.fromEntries(SIDES.map((side) => [side, [] as number[]])) as Record<Side, number[]>;
          for (let round = 0; round < rounds; round += 1) {
            for (const who of run % 2 === 0 ? SIDES : [...SIDES].reverse()) {
              samples[who].push(...(await waves(() => request(portOf[who], kind), { concurrency, rounds: 1 })));
            }
          }
          for (const who of SIDES) {
            per[who].p50.push(percentile(samples[who], 50));
            per[who].p99.push(percentile(samples[who], 99));
          }
        }
        const figure: AckFigures = {
          kind,
          concurrency,
          slipway: { p50: median(per.slipway.p50), p99: median(per.slipway.p99) },
          bare: { p50: median(per.bare.p50), p99: median(per.bare.p99) },
          p99Ratio: median(per.slipway.p99.map((p99, run) => p99 / per.bare.p99[run]!)),
          repeatCheckRatio: median(per.repeatCheck.p99.map((p99, run) => p99 / per.bare.p99[run]!)),
        };
        log(`ack ${kind} ×${concurrency}: slipway p50 ${figure.slipway.p50.toFixed(2)} p99 ${figure.slipway.p99.toFixed(2)} ms; bare p50 ${figure.bare.p50.toFixed(2)} p99 ${figure.bare.p99.toFixed(2)} ms; ratios ${figure.p99Ratio.toFixed(2)}, repeat check ${figure.repeatCheckRatio.toFixed(2)}`);
        figures.push(figure);
      }
    }
    return figures;
  } finally {
    for (const child of children.reverse()) await child.stop();
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export function ackSection(figures: AckFigures[]): string {
  const rows = figures.map((f) => {
    const ratio = f.p99Ratio;
    const met = ratio <= 1.2 && (f.concurrency !== 50 || f.slipway.p99 < 50);
    return `| ${f.kind} | ${f.concurrency} | ${ms(f.slipway.p50)} | ${ms(f.slipway.p99)} | ${ms(f.bare.p50)} | ${ms(f.bare.p99)} | ${x(ratio)} | ${x(f.repeatCheckRatio)} | ${met ? 'yes' : 'no'} |`;
  });
  return [
    '## 1. Ack latency',
    '',
    'Signed requests to `POST /slack/events`, all of a wave sent at once. slipway runs as `slipway server` on real',
    'Redis (each request is checked for a Slack repeat in Redis, then handled); the floor is a Bolt app on the same',
    '`HTTPReceiver` whose handlers only call `ack()`. Slash command: `/slipway help` (answered in the ack); button',
    'click: Approve on an unknown run (acknowledged first, then answered with a private message through the fake',
    `Slack, which runs in a process of its own). ${ACK_SAMPLES} requests per level and side, waves taking turns`,
    'between the sides. One more side, a rung between the two: bare Bolt with slipway\'s repeat check (its Bolt',
    'middleware on its Redis store) in front of the same empty handlers. Target: p99 ≤ 1.2× bare, and under 50 ms',
    'at 50 at once.',
    '',
    '| request | at once | slipway p50 | slipway p99 | bare p50 | bare p99 | p99 ratio (in each run) | rung: bare + repeat check | target met |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `The repeat check alone, one Redis round trip per request and nothing else of slipway's, puts bare Bolt's p99 at`,
    `${x(Math.min(...figures.map((f) => f.repeatCheckRatio)))}–${x(Math.max(...figures.map((f) => f.repeatCheckRatio)))} of its own across these levels: the guarantee that a request Slack sends again is not`,
    "done twice takes that much of the 1.2× before slipway does any work of its own. p99s of a few ms swing by a",
    "third from run to run (the note at the top), so where slipway's ratio falls below the rung's, that is the swing.",
    '',
    '**The gap**, where there is one: under load each request',
    'costs slipway more CPU than an empty handler: the repeat check in Redis (so a retried request is not done',
    'twice), the command itself, the log line; a click is acknowledged first, but then answered (Redis reads and a',
    'call to Slack\'s Web API) on the same two cores the rest of the wave is waiting for. What came from',
    'profiling this benchmark: one Bolt listener for all commands, and one each for all buttons and all modals,',
    'dispatching by id (Bolt runs every listener\'s matcher on every request: nine listeners cost more than the',
    'lookup), and logging without blocking the event loop. The repeat checks of a burst go to Redis in one write',
    '(the request path\'s Redis connection is auto-pipelined), and a click\'s follow-up waits for the I/O already in hand, so',
    'the acks of the same burst are not queued behind it.',
    '',
    '**Why it goes no lower here.** A `--cpu-prof` of `slipway server` under these waves (BENCH_NODE_ARGS) puts',
    'what an empty handler does not do at: the repeat check (about 5 % of the process\'s CPU: the guarantee that a',
    'request Slack retries is not done twice), Bolt\'s middleware run per listener (about 6 %, from nine listeners',
    'to three), and for a click its answer: the run and approval reads (about 3 %) and the private message through',
    'Slack\'s Web API (8–12 %). Measured from /proc on the same waves (on a machine busy with other work, so',
    'roughly), slipway spends 1.35–1.57× the CPU of bare Bolt per slash command and 2.0–2.2× per click. That CPU',
    'shares the two cores with the load generator and the bare app\'s turn, so it shows in p99. A click\'s answer',
    'can be moved after the acks, not removed; the repeat check is one Redis round trip, pipelined with the rest of',
    'the burst. A later `--cpu-prof` of one whole run (both kinds, all levels) counted 6,496 busy samples in',
    'slipway\'s process against 2,357 in bare Bolt\'s (2.8×; the clicks\' answers included). At 200 at once a wave\'s',
    'p99 is about the time to handle all of it, so the ratio follows the CPU: 1.2× would need slipway to spend about',
    'what an empty handler spends, with no Redis call. That run\'s largest parts on slipway\'s side: a click\'s',
    'handler (8 %: its reads and its answer through the Web API), the command listener (7 %: `/slipway help` builds',
    'its blocks), the repeat check (5 %; since then its auto-pipelined ticks no longer copy BullMQ\'s scripts, §2),',
    'the log line of each answer (2 %) and GC (6 % against bare Bolt\'s 1.5 %).',
    '',
  ].join('\n');
}
