/** The fake Slack in a process of its own, so answering slipway's calls does not slow the load generator. */
import { FakeSlack } from '../test/fakes/fake-slack.js';

const slack = new FakeSlack({ token: process.env.SLACK_BOT_TOKEN ?? '', users: {} });
await slack.start();
console.log(JSON.stringify({ port: Number(new URL(slack.url).port), msg: 'fake slack listening' }));
process.on('SIGTERM', () => void slack.stop().then(() => process.exit(0)));
