/**
 * The floor of the ack-latency benchmark: a Bolt app on the same HTTPReceiver slipway uses, whose handlers only
 * call `ack()`. Run as its own process, as slipway is. With `repeat` (the first argument), a rung between it and
 * slipway: the same app with slipway's repeat check (its Bolt middleware, on Redis at REDIS_URL) in front.
 */
import { createServer } from 'node:http';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { connectRedis, waitForRedis } from '../src/adapters/redis/redis-connection.js';
import { RedisOnceStore } from '../src/adapters/store/redis-once-store.js';
import { dropRepeats } from '../src/intake/slack-app.js';
import { createLogger } from '../src/log.js';

const withRepeatCheck = process.argv[2] === 'repeat';
const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? '', logLevel: LogLevel.ERROR });
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  logLevel: LogLevel.ERROR,
  deferInitialization: true,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});
await app.init();
const redis = withRepeatCheck ? connectRedis(process.env.REDIS_URL ?? '') : undefined;
if (redis) {
  await waitForRedis(redis);
  app.use(dropRepeats(new RedisOnceStore(redis), createLogger({ level: 'warn' })));
}
app.command(/.*/, async ({ ack }) => ack());
app.action(/.*/, async ({ ack }) => ack());
const server = createServer(receiver.requestListener);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0, msg: 'bare bolt listening' }));
});
process.on('SIGTERM', () => server.close(() => void (redis?.quit() ?? Promise.resolve()).then(() => process.exit(0))));
