/** The few Block Kit shapes slipway sends; messages are plain data built by pure functions. */
export type TextObject = { type: 'mrkdwn' | 'plain_text'; text: string };
export type Block =
  | { type: 'section'; text: TextObject; block_id?: string }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'header'; text: TextObject }
  | { type: 'divider' }
  | { type: 'actions'; block_id?: string; elements: Button[] };

export type Button = {
  type: 'button';
  action_id: string;
  text: TextObject;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: { title: TextObject; text: TextObject; confirm: TextObject; deny: TextObject };
};

/** What a command or notifier hands to Slack: `text` is the fallback for notifications and screen readers. */
export type Message = { text: string; blocks?: Block[] };

export const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
export const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });

/** Escapes text from outside (branch names, commit messages) so Slack shows it instead of reading it as markup. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Like escapeMrkdwn, but a user mention (`<@U123>`) stays one: a lock's reason may name who rolled back. */
export function escapeKeepingMentions(text: string): string {
  return escapeMrkdwn(text).replace(/&lt;@([UW][A-Z0-9]+)&gt;/g, '<@$1>');
}

/** A fenced block that stays closed whatever the text holds. */
export function codeBlock(text: string): string {
  return `\`\`\`${escapeMrkdwn(text).replace(/```/g, 'ˋˋˋ')}\`\`\``;
}

/** Inline code that cannot be broken out of by a backtick in the text. */
export function code(text: string): string {
  return `\`${escapeMrkdwn(text).replace(/`/g, 'ˋ')}\``;
}

/** A person as recorded: a Slack user id becomes a mention, a git user name is shown as written. */
export function who(person: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(person) ? `<@${person}>` : escapeMrkdwn(person);
}
