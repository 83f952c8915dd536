import type {
  ActionsBlock,
  Button as SlackButton,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  MrkdwnElement,
  PlainTextElement,
  SectionBlock,
} from '@slack/types';
import { cut, LIMITS } from './limits.js';

/** The few Block Kit shapes slipway sends, as @slack/types declares them, narrowed to the fields we always set. */
export type TextObject = MrkdwnElement | PlainTextElement;
export type Button = SlackButton & { action_id: string; text: PlainTextElement; value: string };
export type Block =
  | (SectionBlock & { text: TextObject })
  | (ContextBlock & { elements: TextObject[] })
  | HeaderBlock
  | DividerBlock
  | (ActionsBlock & { elements: Button[] });

/** What a command or notifier hands to Slack: `text` is the fallback for notifications and screen readers. */
export type Message = { text: string; blocks?: Block[] };

// The last guard: a builder cuts its content visibly first; this only keeps a block Slack would refuse out.
export const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: cut(text, LIMITS.sectionText) } });
export const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(text, LIMITS.contextText) }] });

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
