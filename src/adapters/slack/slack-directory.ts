import type { ChatApi } from '../../core/chat-api.js';
import { slackUserIdByEmail } from './slack-client.js';

/** Who people are in Slack, as approvals need it. */
export interface SlackDirectory {
  userIdByEmail(email: string | undefined): Promise<string | undefined>;
  /** Members of these user groups; cached briefly so a burst of clicks makes one call per group. */
  groupMembers(groupIds: readonly string[]): Promise<Set<string>>;
}

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
