import { z } from 'zod';
import type { ChannelDirectory, ChatApi, SlackDirectory } from '../../core/ports.js';
import { slackUserIdByEmail } from './slack-client.js';

const GROUP_TTL_MS = 60_000;

export function slackDirectory(client: ChatApi, now: () => number = Date.now): SlackDirectory {
  const groups = new Map<string, { at: number; members: Promise<string[]> }>();
  return {
    userIdByEmail: (email) => slackUserIdByEmail(client, email),
    async groupMembers(groupIds) {
      const lists = await Promise.all(
        groupIds.map((id) => {
          const cached = groups.get(id);
          if (cached && now() - cached.at < GROUP_TTL_MS) return cached.members;
          const members = client.usergroups.users.list({ usergroup: id }).then((a) => a.users ?? []);
          groups.set(id, { at: now(), members });
          members.catch(() => groups.delete(id));
          return members;
        }),
      );
      return new Set(lists.flat());
    },
  };
}

/** What `conversations.list` answers, as far as slipway reads it. */
const ConversationsPage = z.object({
  channels: z.array(z.object({ id: z.string(), name: z.string().optional() })).default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

export type ConversationsClient = { conversations: { list(args: { types: string; limit: number; cursor?: string; exclude_archived: boolean }): Promise<unknown> } };

const CHANNELS_TTL_MS = 5 * 60_000;
const CHANNELS_RETRY_MS = 30_000;

/**
 * Reads every channel the bot can see once (paginated), then again after a while or on an id it does not know.
 * `configured` are the `#name`s of slipway.yml: one the list does not hold is told to the operator once.
 */
export function channelDirectory(
  client: ConversationsClient,
  log: { warn(meta: object, message: string): void },
  { now = Date.now, configured = [] }: { now?: () => number; configured?: readonly string[] } = {},
): ChannelDirectory {
  let names: Promise<Map<string, string>> | undefined;
  let at = 0;
  const unresolved = new Set<string>();
  const tellUnresolved = (byId: Map<string, string>) => {
    const known = new Set(byId.values());
    for (const channel of configured.filter((c) => c.startsWith('#'))) {
      if (known.has(channel.slice(1))) unresolved.delete(channel);
      else if (!unresolved.has(channel)) {
        unresolved.add(channel);
        log.warn(
          { channel },
          'a channel named in slipway.yml is not in the channels Slack lists for the bot (conversations.list): commands and buttons from it are refused; invite the bot if the channel is private, fix the name, or name the channel by its id in slipway.yml',
        );
      }
    }
  };
  const load = async (): Promise<Map<string, string>> => {
    const byId = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = ConversationsPage.parse(await client.conversations.list({ types: 'public_channel,private_channel', limit: 200, cursor, exclude_archived: true }));
      for (const c of page.channels) if (c.name) byId.set(c.id, c.name);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    tellUnresolved(byId);
    return byId;
  };
  const current = (refresh: boolean) => {
    if (!names || now() - at > CHANNELS_TTL_MS || (refresh && now() - at > CHANNELS_RETRY_MS)) {
      at = now();
      names = load().catch((error: unknown) => {
        // Fails closed: without the list no `#name` matches, and commands are refused until it loads.
        log.warn({ err: error }, 'cannot list Slack channels (conversations.list; scopes channels:read and groups:read): channels named as #name in slipway.yml refuse commands until it works');
        at = now() - CHANNELS_TTL_MS + CHANNELS_RETRY_MS;
        return new Map<string, string>();
      });
    }
    return names;
  };
  return {
    async verify(channel) {
      let name = (await current(false)).get(channel.id);
      if (name === undefined) name = (await current(true)).get(channel.id);
      return { id: channel.id, name };
    },
  };
}
