import type { Readable } from 'node:stream';
import type { ConsoleChat } from './adapters/console/console-chat.js';
import type { SlipwayConfig } from './core/config-schema.js';
import type { Env } from './core/env-schema.js';
import type { Logger } from './core/ports.js';
import type { PeopleActions } from './compose/actions.js';
import { Closers } from './compose/closers.js';
import { serveProbes, serveRequests } from './compose/http.js';
import { answersPeople, runsWork, type SlipwayMode } from './compose/modes.js';
import { buildParts, type Parts } from './compose/parts.js';

export type { SlipwayMode };

/** Local mode's console: a chat in place of Slack (used when no SLACK_BOT_TOKEN is set). */
export type ConsoleOptions = { chat: ConsoleChat; input: Readable; write(text: string): void; push?(message: string): Promise<string> };

export type SlipwayOptions = {
  env: Env;
  config: SlipwayConfig;
  log: Logger;
  mode?: SlipwayMode;
  /** Where the embedded Redis, Caddy and the signing key are kept. */
  dataDir?: string;
  /** The interface to listen on; all of them unless told (Slack and git hosts must reach it). */
  listenHost?: string;
  /** Where clone tokens, secrets and registry credentials named in slipway.yml are read from. */
  processEnv?: NodeJS.ProcessEnv;
  /** The clock freeze windows and expiries are read against; tests set a fixed one. */
  now?: () => Date;
  console?: ConsoleOptions;
};

export type RunningSlipway = { port?: number; close(): Promise<void> };

/**
 * The composition root: builds every part (src/compose/), starts the workers where runs are worked and the
 * server where people and git hosts are answered. `close` stops it all in reverse order.
 */
export async function startSlipway(options: SlipwayOptions): Promise<RunningSlipway> {
  const { env, config, log, mode = 'all', dataDir = '.slipway', processEnv = process.env } = options;
  const closers = new Closers(log);
  const close = () => closers.closeAll();
  try {
    const parts = await buildParts({ env, config, log, mode, dataDir, processEnv, now: options.now, consoleChat: options.console?.chat }, closers);
    // Each half is loaded only where it runs: a worker keeps no Bolt, commands or routes in memory, a server
    // no BullMQ workers, Docker client or stages (test/integration/mode-modules.test.ts).
    if (runsWork(mode)) {
      const { startWorkers } = await import('./compose/workers.js');
      await startWorkers(parts, closers);
    }
    if (!answersPeople(mode)) {
      const port = await serveProbes(parts, options.listenHost, closers);
      log.info({ port, mode }, `slipway worker answering health and metrics on port ${port}`);
      return { port, close };
    }
    const [{ peopleActions }, { startSlackApp }] = await Promise.all([import('./compose/actions.js'), import('./compose/slack-app.js')]);
    const actions = peopleActions(parts);
    const slackApp = await startSlackApp(parts, actions, closers);
    const port = await serveRequests(parts, slackApp, options.listenHost, closers, { runsWork: runsWork(mode), commandDeps: actions.commandDeps });
    if (!parts.chat.slackWeb && options.console && mode === 'all') await startLocalConsole(options.console, parts, actions);
    log.info({ port, mode, services: parts.services.map((s) => s.name) }, `slipway listening on port ${port}`);
    return { port, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function startLocalConsole(console: ConsoleOptions, parts: Parts, actions: PeopleActions): Promise<void> {
  const [{ startConsole }, { commands }] = await Promise.all([import('./intake/console.js'), import('../commands/index.js')]);
  startConsole({ ...console, ...actions, commands, log: parts.log });
}
