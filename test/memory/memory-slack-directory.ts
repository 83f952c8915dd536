import type { SlackDirectory } from '../../src/core/ports.js';

/** Who people are, as Slack's users.lookupByEmail and usergroups.users.list would answer. */
export class MemorySlackDirectory implements SlackDirectory {
  constructor(
    private readonly users: Record<string, string> = {},
    private readonly groups: Record<string, readonly string[]> = {},
  ) {}

  async userIdByEmail(email: string | undefined): Promise<string | undefined> {
    return email ? this.users[email] : undefined;
  }

  async groupMembers(groupIds: readonly string[]): Promise<Set<string>> {
    return new Set(groupIds.flatMap((id) => this.groups[id] ?? []));
  }
}
