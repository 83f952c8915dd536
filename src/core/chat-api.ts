import type { Block } from './messages/blocks.js';

type Sent = { text?: string; blocks?: Block[] | unknown[] };

/**
 * The part of Slack's Web API slipway posts through. Slack's WebClient fits it; so does the console chat of
 * local mode, which renders the same messages as text.
 */
export interface ChatApi {
  chat: {
    postMessage(args: Sent & { channel: string; thread_ts?: string; reply_broadcast?: boolean; unfurl_links?: boolean }): Promise<{ channel?: string; ts?: string }>;
    update(args: Sent & { channel: string; ts: string }): Promise<unknown>;
    postEphemeral(args: Sent & { channel: string; user: string }): Promise<unknown>;
  };
  files: {
    /** Into a thread with `thread_ts`, else into the channel with `initial_comment` as its message. */
    uploadV2(args: { file: Buffer; filename: string; title?: string } & ({ channel_id: string; thread_ts: string } | { channel_id: string; initial_comment?: string })): Promise<unknown>;
  };
  users: {
    lookupByEmail(args: { email: string }): Promise<{ user?: { id?: string } }>;
  };
  usergroups: {
    users: { list(args: { usergroup: string }): Promise<{ users?: string[] }> };
  };
}
