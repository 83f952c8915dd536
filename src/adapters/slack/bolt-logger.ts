// Types only from Bolt: the Web API client (a worker's) uses this logger too, and must not load Bolt for it.
import type { Logger as BoltLogger } from '@slack/bolt';
import { LogLevel } from '@slack/web-api';
import type { Logger } from '../../core/ports.js';

/** Slack's logger interface (Bolt's and the Web API client's) on top of pino, so their lines come out as the same JSON. */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'slack' });
  const line = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  return {
    debug: (...args) => child.debug(line(args)),
    info: (...args) => child.info(line(args)),
    warn: (...args) => child.warn(line(args)),
    error: (...args) => child.error(line(args)),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}
