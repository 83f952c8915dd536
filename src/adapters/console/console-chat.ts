import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { ChatApi, Choice, ConsoleChoices } from '../../core/ports.js';
import type { Button } from '../../core/messages/blocks.js';
import { blocksAsText, plainText, type UserNames } from '../../core/messages/plain-text.js';

/**
 * Slack's place in local mode: messages are written to the terminal as text, an edited message is written
 * again marked "updated", and buttons become numbered choices to type. Screenshots are saved to files.
 */
export class ConsoleChat implements ChatApi, ConsoleChoices {
  private readonly choices = new Map<number, Choice>();
  private nextChoice = 1;
  private nextTs = 1;

  /** `names`: who the console knows by name (its own user); other people show as `@U…`. */
  constructor(
    private readonly write: (text: string) => void,
    private readonly filesDir: string,
    private readonly names: UserNames = {},
  ) {}

  choice(n: number): Choice | undefined {
    return this.choices.get(n);
  }

  /** Shows any message (a command's reply too); answers its ts. */
  show(args: { text?: string; blocks?: unknown[] }, heading: string): string {
    const ts = String(this.nextTs++);
    const body = args.blocks?.length ? blocksAsText(args.blocks, (b) => this.number(b), this.names) : [plainText(args.text ?? '', this.names)];
    this.write(`\n── ${heading} ──\n${body.join('\n')}\n`);
    return ts;
  }

  private number(button: Button): number {
    const n = this.nextChoice++;
    this.choices.set(n, { actionId: button.action_id ?? '', value: button.value, label: button.text.text });
    return n;
  }

  chat: ChatApi['chat'] = {
    postMessage: async (args) => {
      const ts = this.show(args, `${args.channel}${args.thread_ts ? ` · thread of message ${args.thread_ts}` : ''} · message ${this.nextTs}`);
      return { channel: args.channel, ts };
    },
    update: async (args) => {
      this.show(args, `${args.channel} · message ${args.ts} (updated)`);
      return {};
    },
    postEphemeral: async (args) => {
      this.show(args, 'only you see this');
      return {};
    },
  };

  files: ChatApi['files'] = {
    uploadV2: async (args) => {
      await mkdir(this.filesDir, { recursive: true });
      const thread = 'thread_ts' in args ? args.thread_ts : undefined;
      const path = join(this.filesDir, `${thread ?? 'channel'}-${args.filename}`);
      await writeFile(path, args.file);
      const where = thread ? `thread of message ${thread}` : ('initial_comment' in args && args.initial_comment) || 'a file';
      this.write(`\n── ${args.channel_id} · ${where} ──\n[file] ${args.title ?? args.filename}: ${path}\n`);
      return {};
    },
  };

  // Nobody is in a directory locally: authors are named, not mentioned, and groups are empty.
  users: ChatApi['users'] = { lookupByEmail: async () => ({}) };
  usergroups: ChatApi['usergroups'] = { users: { list: async () => ({ users: [] }) } };
}

/** The name of whoever runs slipway locally, for their mentions; "you" when the system has none for them. */
export function localUserName(): string {
  try {
    return userInfo().username || 'you';
  } catch {
    return 'you';
  }
}
