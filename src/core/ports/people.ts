export type { ChatApi } from '../chat-api.js';

/** Who people are in Slack, as approvals and mentions need it. */
export interface SlackDirectory {
  userIdByEmail(email: string | undefined): Promise<string | undefined>;
  /** Members of these user groups; cached briefly so a burst of clicks makes one call per group. */
  groupMembers(groupIds: readonly string[]): Promise<Set<string>>;
}

/** Where a command or click came from, with the channel's name as Slack's API has it for that id. */
export interface ChannelDirectory {
  /**
   * Slack signs `channel_id` and `channel_name` alike, but a name is not an identity (channels are renamed, a
   * shared channel may carry another workspace's name). The name returned is the one the Web API gives the
   * id, so a `#name` in slipway.yml matches only the channel that has that name now; unknown ids get none.
   */
  verify(channel: { id: string; name?: string }): Promise<{ id: string; name?: string }>;
}

/** A button of a message shown in local mode, as a numbered choice to type. */
export type Choice = { actionId: string; value: string; label: string };

/** Local mode's chat, as the console reads what was typed: a number picks the choice shown with it. */
export interface ConsoleChoices {
  choice(n: number): Choice | undefined;
  /** Writes a message to the terminal under a heading; answers its id. */
  show(args: { text?: string; blocks?: unknown[] }, heading: string): string;
}
