#!/usr/bin/env node
import { loadConfigFile, loadEnv } from './config.js';
import { SECRET_ENV_KEYS } from './core/env-schema.js';
import { SlipwayError } from './core/errors.js';
import { createLogger } from './log.js';
import { type SlipwayMode, startSlipway } from './slipway.js';

const USAGE = 'usage: slipway [server|worker]   (no argument: both in one process)';

function modeFrom(args: readonly string[]): SlipwayMode {
  const [word, ...rest] = args;
  if (rest.length > 0 || (word !== undefined && word !== 'server' && word !== 'worker')) {
    throw new SlipwayError('usage', USAGE);
  }
  return word ?? 'all';
}

async function main(): Promise<void> {
  const mode = modeFrom(process.argv.slice(2));
  const env = loadEnv(process.env);
  const secrets = SECRET_ENV_KEYS.map((key) => env[key]).filter((v): v is string => !!v);
  const log = createLogger({ level: env.LOG_LEVEL, secrets });
  const config = await loadConfigFile(env.SLIPWAY_CONFIG, { required: process.env.SLIPWAY_CONFIG !== undefined });
  const slipway = await startSlipway({ env, config, log, mode });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    slipway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // Known problems are the operator's to fix: say what, without a stack trace.
  process.stderr.write(error instanceof SlipwayError ? `${error.message}\n` : `${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
