import { pino, type Logger, type DestinationStream } from 'pino';
import { SIGNATURE_HEADERS } from './core/git-hosts.js';
import { scrubber } from './core/scrub.js';

export type { Logger };

/** Header and field names that hold secrets anywhere in a log object. */
const REDACT = [
  '*.token',
  '*.secret',
  '*.signingSecret',
  'headers.authorization',
  ...SIGNATURE_HEADERS.map((name) => `headers["${name}"]`),
  'headers["x-slack-signature"]',
];

/**
 * JSON lines to stdout (or `destination` in tests); `secrets` are scrubbed from every message too. Written
 * asynchronously: a synchronous write blocks the event loop whenever the pipe behind stdout is full, which
 * showed as a third of the ack latency under load. pino flushes what is buffered when the process exits.
 */
export function createLogger(
  { level = 'info', secrets = [] as readonly string[] } = {},
  destination?: DestinationStream,
): Logger {
  const scrub = scrubber(secrets);
  return pino(
    {
      level,
      base: { app: 'slipway' },
      redact: { paths: REDACT, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrub(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
