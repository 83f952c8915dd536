import type { Button } from './blocks.js';

/** Display names by Slack user id, for the people a terminal knows (the console's own user). */
export type UserNames = Readonly<Record<string, string>>;

/**
 * Slack mrkdwn as terminal text: a mention as `@name` when the name is known (from `names`, or the label Slack
 * put in it), else `@id`; a user group as its handle; a channel as `#name`; `<!here>` as `@here`; links as
 * "label (url)"; escapes undone.
 */
export function plainText(mrkdwn: string, names: UserNames = {}): string {
  return mrkdwn
    .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1')
    .replace(/<@([A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, label?: string) => `@${names[id] ?? (label || id)}`)
    .replace(/<!subteam\^([A-Z0-9]+)(?:\|@?([^>]*))?>/g, (_, id: string, handle?: string) => (handle ? `@${handle}` : `@group:${id}`))
    .replace(/<#([A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, name?: string) => `#${name || id}`)
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/:white_check_mark:/g, '✔').replace(/:x:/g, '✘').replace(/:white_circle:/g, '·')
    .replace(/:arrows_counterclockwise:/g, '↻').replace(/:fast_forward:/g, '»').replace(/:raised_hand:/g, '✋')
    .replace(/:hourglass_flowing_sand:|:hourglass:/g, '⌛').replace(/:rotating_light:/g, '!!').replace(/:rocket:/g, '→')
    .replace(/:lock:/g, '[locked]').replace(/:unlock:/g, '[unlocked]').replace(/:[a-z_]+:/g, '')
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1$2')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

type AnyBlock = { type: string; text?: { text: string }; elements?: ({ text?: string } | Button)[] };

/** A message's blocks as lines of text; each button is handed to `number` and shown as `[n] label`. */
export function blocksAsText(blocks: readonly unknown[], number: (button: Button) => number, names: UserNames = {}): string[] {
  const lines: string[] = [];
  for (const block of blocks as AnyBlock[]) {
    if (block.type === 'section' || block.type === 'header') lines.push(plainText(block.text?.text ?? '', names));
    else if (block.type === 'context') lines.push(plainText((block.elements ?? []).map((e) => ('text' in e && typeof e.text === 'string' ? e.text : '')).join(' '), names));
    else if (block.type === 'actions') {
      const buttons = (block.elements ?? []).filter((e): e is Button => (e as Button).type === 'button');
      lines.push(buttons.map((b) => `[${number(b)}] ${b.text.text}`).join('   '));
    }
  }
  return lines.flatMap((l) => l.split('\n'));
}
