#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsoleChat, localUserName } from './adapters/console/console-chat.js';
import { CONSOLE_USER } from './intake/console.js';
import { loadConfigFile, loadEnv } from './config.js';
import { secretVariableNames, serviceList } from './core/config-schema.js';
import { secretValues } from './core/env-schema.js';
import { SlipwayError } from './core/errors.js';
import { prepareLocalSample } from './local/local-sample.js';
import { createLogger } from './log.js';
import { parseCommandLine, USAGE } from './cli-args.js';
import { type SlipwayMode, startSlipway } from './slipway.js';
import { startTracing } from './tracing.js';

const DATA_DIR = '.slipway';

/** slipway's own package.json, found upwards from this file (dist/src/ when built, src/ when run from source). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'slipway' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

/** Answers --help, --version and mistakes, and exits; otherwise the mode to start in. */
function modeFrom(args: readonly string[]): SlipwayMode {
  const line = parseCommandLine(args);
  if (line.kind === 'start') return line.mode;
  if (line.kind === 'mistake') throw new SlipwayError('usage', `${line.message}\n${USAGE}\n(slipway --help says more)`);
  process.stdout.write(line.kind === 'help' ? line.text : `slipway ${packageVersion()}\n`);
  process.exit(0);
}

async function main(): Promise<void> {
  const mode = modeFrom(process.argv.slice(2));
  let env = loadEnv(process.env);
  let config = await loadConfigFile(env.SLIPWAY_CONFIG, { required: process.env.SLIPWAY_CONFIG !== undefined });

  // Local mode: no Slack token, one process. The terminal is the chat (logs go to stderr), and with nothing
  // configured a sample service in a local git repository shows the whole flow.
  const local = !env.SLACK_BOT_TOKEN && mode === 'all';
  const sample = local && serviceList(config).length === 0 ? await prepareLocalSample(DATA_DIR, process.env.SLIPWAY_REGISTRY) : undefined;
  if (sample) {
    config = sample.config;
    env = loadEnv({ ...process.env, GOGS_WEBHOOK_SECRET: env.GOGS_WEBHOOK_SECRET ?? sample.secret });
  }

  const secrets = secretValues(env, secretVariableNames(config), process.env);
  const log = createLogger({ level: env.LOG_LEVEL, secrets }, local ? process.stderr : undefined);
  const write = (text: string) => void process.stdout.write(text);
  // Before anything traces: spans go to OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set; without it no SDK is loaded.
  const tracing = await startTracing(process.env, packageVersion());
  if (tracing) log.info({ endpoint: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT }, 'exporting traces over OTLP/HTTP');
  const stop = (slipway: { close(): Promise<void> }, signal: string) => {
    log.info({ signal }, 'stopping');
    // The spans of the last jobs are sent after the workers stop, before the process ends.
    const flushed = () => tracing?.flush().catch((error: unknown) => log.warn({ err: error }, 'could not send the last traces'));
    slipway.close().then(
      async () => {
        await flushed();
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  // Signals are taken before slipway starts: its "listening" line can reach a supervisor before `startSlipway`
  // returns, and a SIGTERM sent on it must stop slipway cleanly, not kill it. One that comes while it starts
  // stops it once started; a second one then ends the process at once (a start that hangs still yields).
  const run: { started?: { close(): Promise<void> }; signalled?: string } = {};
  const onSignal = (signal: string) => {
    if (run.signalled) {
      if (!run.started) process.exit(1);
      return;
    }
    run.signalled = signal;
    if (run.started) stop(run.started, signal);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  const slipway = await startSlipway({
    env,
    config,
    log,
    mode,
    dataDir: DATA_DIR,
    console: local ? { chat: new ConsoleChat(write, join(DATA_DIR, 'files'), { [CONSOLE_USER]: localUserName() }), input: process.stdin, write, push: sample?.push } : undefined,
  });
  run.started = slipway;
  if (run.signalled) return stop(slipway, run.signalled);
  if (sample) {
    await sample.connect(`http://127.0.0.1:${slipway.port}/webhooks/gogs`);
    write(`The sample service lives in ${join(DATA_DIR, 'sample', 'work')}: commit and push there, or type "push".\n`);
  }
}

main().catch((error: unknown) => {
  // Known problems are the operator's to fix: say what, without a stack trace.
  process.stderr.write(error instanceof SlipwayError ? `${error.message}\n` : `${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
