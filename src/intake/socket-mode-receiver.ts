import type { App, Logger as BoltLogger, Receiver } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';

/**
 * Slack over Socket Mode, for teams whose slipway Slack cannot reach. Bolt's own SocketModeReceiver does not
 * pass client options through, so it cannot be pointed at another API base (SLACK_API_URL); this one can.
 * Every envelope goes to Bolt as an HTTP request would, with its ack sent back over the socket.
 */
export class SocketModeReceiver implements Receiver {
  readonly client: SocketModeClient;
  private app?: App;

  constructor({ appToken, apiUrl, logger }: { appToken: string; apiUrl?: string; logger: BoltLogger }) {
    this.client = new SocketModeClient({ appToken, logger, clientOptions: apiUrl ? { slackApiUrl: apiUrl } : {} });
    this.client.on('slack_event', async ({ ack, body, retry_num, retry_reason }) => {
      await this.app?.processEvent({
        body,
        ack: async (response?: unknown) => {
          await ack(response as Record<string, unknown> | undefined);
        },
        retryNum: retry_num,
        retryReason: retry_reason,
      });
    });
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {
    await this.client.start();
  }

  async stop(): Promise<void> {
    await this.client.disconnect();
  }
}
